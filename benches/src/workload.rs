//! Deterministic workloads that look like a real account's identity policies.
//!
//! A workload is an intermediate form ([`StmtSpec`], [`ReqSpec`]) that every engine's
//! translation reads: IAM JSON for polcheck and iam-rs, Cedar text and entities for
//! cedar-policy. It is generated from a seed with a tiny LCG, so every run, every engine and
//! every benchmark sees the same statements and requests.
//!
//! The mix, per statement: 90% Allow; actions 45% one exact action, 15% two or three exact
//! actions of one service, 17% a `Get*`/`List*`/`Describe*`-style pattern, 8% `service:*`,
//! 0.5% `*`, 0.3% `NotAction`; resources 40% one exact ARN, 25% an ARN with a wildcard tail
//! (`bucket-3/*`), 8% a wildcard region, 5% two ARNs, the rest `*`; Deny statements are
//! narrow (one action, one ARN or ARN pattern); conditions 35% of the
//! time, on the source IP, MFA, a principal tag, a resource tag or the current time.
//! No policy variables: Cedar has no string concatenation to express `${aws:username}`.

/// The services, their actions and how their ARNs look.
pub const SERVICES: &[(&str, &[&str])] = &[
    (
        "s3",
        &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "ListBucket",
            "GetObjectTagging",
            "GetBucketPolicy",
            "PutBucketPolicy",
        ],
    ),
    (
        "ec2",
        &[
            "DescribeInstances",
            "StartInstances",
            "StopInstances",
            "TerminateInstances",
            "RunInstances",
            "DescribeVolumes",
        ],
    ),
    (
        "dynamodb",
        &[
            "GetItem",
            "PutItem",
            "Query",
            "Scan",
            "DeleteItem",
            "BatchGetItem",
            "DescribeTable",
        ],
    ),
    (
        "sqs",
        &[
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
            "ListQueues",
        ],
    ),
    (
        "lambda",
        &[
            "InvokeFunction",
            "GetFunction",
            "UpdateFunctionCode",
            "ListFunctions",
        ],
    ),
    (
        "kms",
        &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "DescribeKey",
            "ListKeys",
        ],
    ),
    (
        "logs",
        &[
            "CreateLogStream",
            "PutLogEvents",
            "GetLogEvents",
            "DescribeLogGroups",
        ],
    ),
    (
        "iam",
        &["GetRole", "PassRole", "CreateRole", "ListRoles", "GetUser"],
    ),
    (
        "sns",
        &["Publish", "Subscribe", "GetTopicAttributes", "ListTopics"],
    ),
    (
        "secretsmanager",
        &["GetSecretValue", "DescribeSecret", "ListSecrets"],
    ),
];

const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-west-1"];
/// The account that owns every resource and caller.
pub const ACCOUNT: &str = "111122223333";
const TEAMS: &[&str] = &["blue", "red", "green"];
const ENVS: &[&str] = &["prod", "dev"];
const PREFIXES: &[&str] = &["Get", "List", "Describe", "Put", "Delete"];
/// 2026-01-01T00:00:00Z and one year later, for date conditions.
const YEAR_2026: i64 = 1_767_225_600;
const YEAR: i64 = 31_536_000;

/// A condition of the workload, in a form every engine can express.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `IpAddress aws:SourceIp <cidr>`.
    SourceIp(String),
    /// `Bool aws:MultiFactorAuthPresent true`.
    Mfa,
    /// `StringEquals aws:PrincipalTag/team <value>`.
    PrincipalTeam(String),
    /// `StringEquals aws:ResourceTag/env <value>`.
    ResourceEnv(String),
    /// `DateLessThan aws:CurrentTime <epoch>`.
    Before(i64),
    /// `DateGreaterThan aws:CurrentTime <epoch>`.
    After(i64),
}

/// One statement.
#[derive(Debug, Clone)]
pub struct StmtSpec {
    /// Allow (`true`) or Deny.
    pub allow: bool,
    /// `NotAction` instead of `Action`.
    pub not_action: bool,
    /// Action patterns as written (mixed case).
    pub actions: Vec<String>,
    /// Resource patterns.
    pub resources: Vec<String>,
    /// Conditions, ANDed.
    pub conds: Vec<Cond>,
}

/// One caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller's ARN.
    pub arn: String,
    /// Its `team` tag, if any.
    pub team: Option<&'static str>,
}

/// One request.
#[derive(Debug, Clone)]
pub struct ReqSpec {
    /// Index into [`Workload::callers`].
    pub caller: usize,
    /// `service:Action`, as AWS spells it.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// `aws:SourceIp`.
    pub source_ip: String,
    /// `aws:MultiFactorAuthPresent`, when sent.
    pub mfa: Option<bool>,
    /// `aws:ResourceTag/env`, when the resource has it.
    pub env: Option<&'static str>,
    /// `aws:CurrentTime`, seconds since the epoch.
    pub now: i64,
}

/// A generated account: policies of `per_policy` statements, callers and requests.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Every statement; policy `i` holds statements `i*per_policy ..`.
    pub statements: Vec<StmtSpec>,
    /// Statements per policy.
    pub per_policy: usize,
    /// The callers (every one has all the policies attached).
    pub callers: Vec<Caller>,
    /// The requests.
    pub requests: Vec<ReqSpec>,
}

/// A tiny deterministic generator (64-bit LCG, high bits out).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u32() as usize) % n.max(1)
    }
    /// `true` with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.next_u32() % 1000 < per_mille
    }
    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// How many distinct resources of each kind a workload of `n` statements names.
fn pool(n: usize) -> usize {
    (n / 8).max(4)
}

/// A concrete resource ARN of a service; `i` picks the resource.
pub fn resource_arn(svc: &str, region: &str, i: usize) -> String {
    let a = ACCOUNT;
    match svc {
        "s3" => format!("arn:aws:s3:::bucket-{i}/data/obj-{}", i % 7),
        "ec2" => format!("arn:aws:ec2:{region}:{a}:instance/i-{i:08x}"),
        "dynamodb" => format!("arn:aws:dynamodb:{region}:{a}:table/table-{i}"),
        "sqs" => format!("arn:aws:sqs:{region}:{a}:queue-{i}"),
        "lambda" => format!("arn:aws:lambda:{region}:{a}:function:fn-{i}"),
        "kms" => format!("arn:aws:kms:{region}:{a}:key/k-{i}"),
        "logs" => format!("arn:aws:logs:{region}:{a}:log-group:/app/svc-{i}"),
        "iam" => format!("arn:aws:iam::{a}:role/role-{i}"),
        "sns" => format!("arn:aws:sns:{region}:{a}:topic-{i}"),
        _ => format!("arn:aws:secretsmanager:{region}:{a}:secret:sec-{i}"),
    }
}

/// A wildcard resource pattern covering a group of resources of a service.
fn wildcard_arn(svc: &str, region: &str, i: usize) -> String {
    let a = ACCOUNT;
    match svc {
        "s3" => format!("arn:aws:s3:::bucket-{i}/*"),
        "ec2" => format!("arn:aws:ec2:{region}:{a}:instance/*"),
        "dynamodb" => format!("arn:aws:dynamodb:{region}:{a}:table/table-{i}*"),
        "sqs" => format!("arn:aws:sqs:{region}:{a}:queue-{i}*"),
        "lambda" => format!("arn:aws:lambda:{region}:{a}:function:fn-{i}*"),
        "kms" => format!("arn:aws:kms:{region}:{a}:key/*"),
        "logs" => format!("arn:aws:logs:{region}:{a}:log-group:/app/svc-{i}*"),
        "iam" => format!("arn:aws:iam::{a}:role/role-{i}*"),
        "sns" => format!("arn:aws:sns:{region}:{a}:topic-*"),
        _ => format!("arn:aws:secretsmanager:{region}:{a}:secret:sec-{i}*"),
    }
}

fn gen_statement(r: &mut Lcg, n: usize) -> StmtSpec {
    let (svc, actions) = *r.pick(SERVICES);
    let region = *r.pick(REGIONS);
    let allow = !r.chance(100);
    let roll = r.below(1000);
    let mut not_action = false;
    let acts: Vec<String> = if roll < 450 {
        vec![format!("{svc}:{}", r.pick(actions))]
    } else if roll < 600 {
        let k = 2 + r.below(2);
        let mut v: Vec<String> = Vec::new();
        for _ in 0..k {
            let a = format!("{svc}:{}", r.pick(actions));
            if !v.contains(&a) {
                v.push(a);
            }
        }
        v
    } else if roll < 770 {
        vec![format!("{svc}:{}*", r.pick(PREFIXES))]
    } else if roll < 850 {
        vec![format!("{svc}:*")]
    } else if roll < 855 {
        vec!["*".to_string()]
    } else if roll < 858 {
        not_action = true;
        vec!["iam:*".to_string(), "sts:*".to_string()]
    } else {
        vec![format!("{svc}:{}", r.pick(actions))]
    };
    let p = pool(n);
    let rroll = r.below(1000);
    let resources = if acts[0] == "*" || not_action || rroll >= 780 {
        vec!["*".to_string()]
    } else if rroll < 400 {
        vec![resource_arn(svc, region, r.below(p))]
    } else if rroll < 650 {
        vec![wildcard_arn(svc, region, r.below(p))]
    } else if rroll < 730 {
        let w = wildcard_arn(svc, region, r.below(p));
        vec![w.replacen(region, "*", 1)]
    } else {
        vec![
            resource_arn(svc, region, r.below(p)),
            resource_arn(svc, region, r.below(p)),
        ]
    };
    // Denies are narrow, as in real accounts: one action on named resources.
    let (acts, resources, not_action) = if allow {
        (acts, resources, not_action)
    } else {
        let arn = if r.chance(500) {
            resource_arn(svc, region, r.below(p))
        } else {
            wildcard_arn(svc, region, r.below(p))
        };
        (vec![format!("{svc}:{}", r.pick(actions))], vec![arn], false)
    };
    let mut conds = Vec::new();
    if r.chance(350) || not_action || acts[0] == "*" {
        conds.push(match r.below(6) {
            0 => Cond::SourceIp(
                (*r.pick(&["10.0.0.0/8", "192.0.2.0/24", "203.0.113.0/25"])).to_string(),
            ),
            1 => Cond::Mfa,
            2 => Cond::PrincipalTeam((*r.pick(TEAMS)).to_string()),
            3 => Cond::ResourceEnv((*r.pick(ENVS)).to_string()),
            4 => Cond::Before(YEAR_2026 + r.below(YEAR as usize) as i64),
            _ => Cond::After(YEAR_2026 + r.below(YEAR as usize) as i64),
        });
    }
    StmtSpec {
        allow,
        not_action,
        actions: acts,
        resources,
        conds,
    }
}

fn gen_request(r: &mut Lcg, n: usize, callers: usize) -> ReqSpec {
    let (svc, actions) = *r.pick(SERVICES);
    ReqSpec {
        caller: r.below(callers),
        action: format!("{svc}:{}", r.pick(actions)),
        resource: resource_arn(svc, REGIONS[r.below(REGIONS.len())], r.below(pool(n))),
        source_ip: (*r.pick(&["10.1.2.3", "192.0.2.77", "198.51.100.9", "203.0.113.200"]))
            .to_string(),
        mfa: match r.below(3) {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        },
        env: r.chance(700).then(|| *r.pick(ENVS)),
        now: YEAR_2026 + r.below(YEAR as usize) as i64,
    }
}

impl Workload {
    /// Generates `statements` statements in policies of up to 10, `callers` callers and
    /// `requests` requests, from `seed`.
    pub fn generate(statements: usize, callers: usize, requests: usize, seed: u64) -> Workload {
        let mut r = Lcg::new(seed ^ statements as u64);
        let stmts = (0..statements)
            .map(|_| gen_statement(&mut r, statements))
            .collect();
        let callers = (0..callers.max(1))
            .map(|i| Caller {
                arn: if i % 2 == 0 {
                    format!("arn:aws:iam::{ACCOUNT}:user/user-{i}")
                } else {
                    format!("arn:aws:iam::{ACCOUNT}:role/role-{i}")
                },
                team: TEAMS.get(i % 4).copied(),
            })
            .collect::<Vec<_>>();
        let reqs = (0..requests)
            .map(|_| gen_request(&mut r, statements, callers.len()))
            .collect();
        Workload {
            statements: stmts,
            per_policy: 10,
            callers,
            requests: reqs,
        }
    }

    /// The policies as IAM JSON documents.
    pub fn iam_json(&self) -> Vec<String> {
        self.statements
            .chunks(self.per_policy)
            .map(|chunk| {
                let s: Vec<String> = chunk.iter().map(statement_json).collect();
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                    s.join(",")
                )
            })
            .collect()
    }
}

/// RFC 3339 text of an epoch time (UTC, whole seconds).
pub fn rfc3339(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn json_list(xs: &[String]) -> String {
    let q: Vec<String> = xs.iter().map(|x| format!("\"{x}\"")).collect();
    format!("[{}]", q.join(","))
}

/// One statement as IAM JSON.
pub fn statement_json(s: &StmtSpec) -> String {
    let effect = if s.allow { "Allow" } else { "Deny" };
    let action_key = if s.not_action { "NotAction" } else { "Action" };
    let mut out = format!(
        r#"{{"Effect":"{effect}","{action_key}":{},"Resource":{}"#,
        json_list(&s.actions),
        json_list(&s.resources)
    );
    if !s.conds.is_empty() {
        let c: Vec<String> = s
            .conds
            .iter()
            .map(|c| match c {
                Cond::SourceIp(n) => format!(r#""IpAddress":{{"aws:SourceIp":"{n}"}}"#),
                Cond::Mfa => r#""Bool":{"aws:MultiFactorAuthPresent":"true"}"#.to_string(),
                Cond::PrincipalTeam(t) => {
                    format!(r#""StringEquals":{{"aws:PrincipalTag/team":"{t}"}}"#)
                }
                Cond::ResourceEnv(e) => {
                    format!(r#""StringEquals":{{"aws:ResourceTag/env":"{e}"}}"#)
                }
                Cond::Before(t) => {
                    format!(r#""DateLessThan":{{"aws:CurrentTime":"{}"}}"#, rfc3339(*t))
                }
                Cond::After(t) => format!(
                    r#""DateGreaterThan":{{"aws:CurrentTime":"{}"}}"#,
                    rfc3339(*t)
                ),
            })
            .collect();
        out.push_str(&format!(r#","Condition":{{{}}}"#, c.join(",")));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_rfc3339() {
        assert_eq!(rfc3339(YEAR_2026), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn generation_is_deterministic() {
        let a = Workload::generate(100, 4, 10, 7).iam_json();
        let b = Workload::generate(100, 4, 10, 7).iam_json();
        assert_eq!(a, b);
    }
}
