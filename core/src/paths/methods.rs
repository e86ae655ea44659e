//! The edge kinds of the principal graph: assuming a role, and the well-known catalogue of
//! IAM privilege-escalation methods. Each [`Method`] says which actions the caller needs, on
//! what, and what it gains; `docs/paths.md` lists them with their public sources.
//!
//! Resource templates use `{account}` (the caller's account), `{region}` (the graph's
//! region, `us-east-1` unless told) and `{name}` (`polcheck-path`, a new resource's name).

/// What a method does, which decides how the graph looks for it (see `build.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// `sts:AssumeRole` on a role whose trust policy lets the caller in.
    AssumeRole,
    /// Pass a role trusted by `service` to a new resource of that service, then run it: the
    /// caller acts as the role. Needs `iam:PassRole` on the role (with
    /// `iam:PassedToService`) and each of `create` on its templated resource.
    PassRole {
        /// The service principal the role must trust (`lambda.amazonaws.com`).
        service: &'static str,
        /// The other actions, with their resource templates.
        create: &'static [(&'static str, &'static str)],
    },
    /// Make credentials for another user (`iam:CreateAccessKey` on the user's ARN): the
    /// caller acts as that user.
    UserCredentials,
    /// Rewrite a role's trust policy (`iam:UpdateAssumeRolePolicy`), then assume it: needs the
    /// caller's own side of `sts:AssumeRole` (identity, boundary, SCPs).
    UpdateTrust,
    /// Give a user or role (`target`) any policy: the action on that user's or role's ARN.
    Modify {
        /// `user` or `role`.
        target: Target,
    },
    /// Give a group any policy: the action on the group's ARN; every member gains it.
    ModifyGroup,
    /// Write a new default version of a managed policy (`iam:CreatePolicyVersion` on the
    /// policy's ARN): everyone the policy is attached to gains any permission.
    CreatePolicyVersion,
    /// Make another, existing version of a managed policy the default: its holders gain what
    /// that version grants (counted when it allows `*` on `*`).
    SetDefaultPolicyVersion,
    /// Run a command on an EC2 instance through Systems Manager (`ssm:SendCommand` or
    /// `ssm:StartSession`, asked of the instance's ARN and of `document`): the command runs
    /// on the instance, whose software holds its instance profile's role (the role named by
    /// the IAM export's `InstanceProfileList` for the instance's `IamInstanceProfile.Arn`),
    /// so the caller acts as that role.
    InstanceCommand {
        /// The action (`ssm:SendCommand`).
        action: &'static str,
        /// The SSM document's ARN template (`AWS-RunShellScript`, owned by AWS: no account).
        document: &'static str,
    },
    /// Add a user (the caller or a user it can act as) to a group (`iam:AddUserToGroup` on the
    /// group's ARN): the user gains the group's policies (counted when they allow `*` on `*`).
    AddUserToGroup,
}

/// Whose policies a [`Shape::Modify`] method changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
}

/// One edge kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// Stable id, used in JSON and tests (`passrole-lambda`).
    pub id: &'static str,
    /// The actions the caller needs.
    pub needs: &'static [&'static str],
    /// What the caller gains, in a few words.
    pub grants: &'static str,
    /// How the graph finds it.
    pub shape: Shape,
}

const ANY_POLICY: &str = "any permission the target's boundary, SCPs and denies leave";

/// Every edge kind, assume-role first. The order is the order of `docs/paths.md`.
pub const METHODS: &[Method] = &[
    Method {
        id: "assume-role",
        needs: &["sts:AssumeRole"],
        grants: "acts as the role",
        shape: Shape::AssumeRole,
    },
    Method {
        id: "assume-role-web-identity",
        needs: &["sts:AssumeRoleWithWebIdentity"],
        grants: "a user of the OIDC provider acts as the role",
        shape: Shape::AssumeRole,
    },
    Method {
        id: "assume-role-saml",
        needs: &["sts:AssumeRoleWithSAML"],
        grants: "a user of the SAML provider acts as the role",
        shape: Shape::AssumeRole,
    },
    Method {
        id: "create-policy-version",
        needs: &["iam:CreatePolicyVersion"],
        grants: ANY_POLICY,
        shape: Shape::CreatePolicyVersion,
    },
    Method {
        id: "set-default-policy-version",
        needs: &["iam:SetDefaultPolicyVersion"],
        grants: "what another version of an attached policy allows",
        shape: Shape::SetDefaultPolicyVersion,
    },
    Method {
        id: "attach-user-policy",
        needs: &["iam:AttachUserPolicy"],
        grants: ANY_POLICY,
        shape: Shape::Modify {
            target: Target::User,
        },
    },
    Method {
        id: "attach-group-policy",
        needs: &["iam:AttachGroupPolicy"],
        grants: ANY_POLICY,
        shape: Shape::ModifyGroup,
    },
    Method {
        id: "attach-role-policy",
        needs: &["iam:AttachRolePolicy"],
        grants: ANY_POLICY,
        shape: Shape::Modify {
            target: Target::Role,
        },
    },
    Method {
        id: "put-user-policy",
        needs: &["iam:PutUserPolicy"],
        grants: ANY_POLICY,
        shape: Shape::Modify {
            target: Target::User,
        },
    },
    Method {
        id: "put-group-policy",
        needs: &["iam:PutGroupPolicy"],
        grants: ANY_POLICY,
        shape: Shape::ModifyGroup,
    },
    Method {
        id: "put-role-policy",
        needs: &["iam:PutRolePolicy"],
        grants: ANY_POLICY,
        shape: Shape::Modify {
            target: Target::Role,
        },
    },
    Method {
        id: "add-user-to-group",
        needs: &["iam:AddUserToGroup"],
        grants: "the group's policies",
        shape: Shape::AddUserToGroup,
    },
    Method {
        id: "create-access-key",
        needs: &["iam:CreateAccessKey"],
        grants: "acts as the user (API keys)",
        shape: Shape::UserCredentials,
    },
    Method {
        id: "create-login-profile",
        needs: &["iam:CreateLoginProfile"],
        grants: "acts as the user (console password; the user must have none yet)",
        shape: Shape::UserCredentials,
    },
    Method {
        id: "update-login-profile",
        needs: &["iam:UpdateLoginProfile"],
        grants: "acts as the user (console password; the user must have one)",
        shape: Shape::UserCredentials,
    },
    Method {
        id: "update-assume-role-policy",
        needs: &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
        grants: "acts as the role",
        shape: Shape::UpdateTrust,
    },
    Method {
        id: "passrole-lambda",
        needs: &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
        grants: "acts as the role (the function's code runs with it)",
        shape: Shape::PassRole {
            service: "lambda.amazonaws.com",
            create: &[
                (
                    "lambda:CreateFunction",
                    "arn:aws:lambda:{region}:{account}:function:{name}",
                ),
                (
                    "lambda:InvokeFunction",
                    "arn:aws:lambda:{region}:{account}:function:{name}",
                ),
            ],
        },
    },
    Method {
        id: "passrole-lambda-event-source",
        needs: &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
        grants: "acts as the role (the function runs on a stream's events)",
        shape: Shape::PassRole {
            service: "lambda.amazonaws.com",
            create: &[
                (
                    "lambda:CreateFunction",
                    "arn:aws:lambda:{region}:{account}:function:{name}",
                ),
                (
                    "lambda:CreateEventSourceMapping",
                    "arn:aws:lambda:{region}:{account}:event-source-mapping:{name}",
                ),
            ],
        },
    },
    Method {
        id: "passrole-ec2",
        needs: &["iam:PassRole", "ec2:RunInstances"],
        grants: "acts as the role (through the instance's metadata credentials)",
        shape: Shape::PassRole {
            service: "ec2.amazonaws.com",
            create: &[(
                "ec2:RunInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            )],
        },
    },
    Method {
        id: "passrole-cloudformation",
        needs: &["iam:PassRole", "cloudformation:CreateStack"],
        grants: "acts as the role (the stack creates what the role may)",
        shape: Shape::PassRole {
            service: "cloudformation.amazonaws.com",
            create: &[(
                "cloudformation:CreateStack",
                "arn:aws:cloudformation:{region}:{account}:stack/{name}/*",
            )],
        },
    },
    Method {
        id: "passrole-glue",
        needs: &["iam:PassRole", "glue:CreateDevEndpoint"],
        grants: "acts as the role (through the endpoint's shell)",
        shape: Shape::PassRole {
            service: "glue.amazonaws.com",
            create: &[(
                "glue:CreateDevEndpoint",
                "arn:aws:glue:{region}:{account}:devEndpoint/{name}",
            )],
        },
    },
    Method {
        id: "passrole-datapipeline",
        needs: &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
        grants: "acts as the role (the pipeline runs commands with it)",
        shape: Shape::PassRole {
            service: "datapipeline.amazonaws.com",
            create: &[
                ("datapipeline:CreatePipeline", "*"),
                (
                    "datapipeline:PutPipelineDefinition",
                    "arn:aws:datapipeline:{region}:{account}:pipeline/{name}",
                ),
            ],
        },
    },
    Method {
        id: "passrole-codebuild",
        needs: &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
        grants: "acts as the role (the build's commands run with it)",
        shape: Shape::PassRole {
            service: "codebuild.amazonaws.com",
            create: &[
                (
                    "codebuild:CreateProject",
                    "arn:aws:codebuild:{region}:{account}:project/{name}",
                ),
                (
                    "codebuild:StartBuild",
                    "arn:aws:codebuild:{region}:{account}:project/{name}",
                ),
            ],
        },
    },
    Method {
        id: "passrole-sagemaker-notebook",
        needs: &[
            "iam:PassRole",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
        grants: "acts as the role (through the notebook's terminal)",
        shape: Shape::PassRole {
            service: "sagemaker.amazonaws.com",
            create: &[
                (
                    "sagemaker:CreateNotebookInstance",
                    "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}",
                ),
                (
                    "sagemaker:CreatePresignedNotebookInstanceUrl",
                    "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}",
                ),
            ],
        },
    },
    Method {
        id: "passrole-sagemaker-training",
        needs: &["iam:PassRole", "sagemaker:CreateTrainingJob"],
        grants: "acts as the role (the job's container runs with it)",
        shape: Shape::PassRole {
            service: "sagemaker.amazonaws.com",
            create: &[(
                "sagemaker:CreateTrainingJob",
                "arn:aws:sagemaker:{region}:{account}:training-job/{name}",
            )],
        },
    },
    Method {
        id: "passrole-ecs",
        needs: &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
        grants: "acts as the role (the task's container runs with it)",
        shape: Shape::PassRole {
            service: "ecs-tasks.amazonaws.com",
            create: &[
                ("ecs:RegisterTaskDefinition", "*"),
                (
                    "ecs:RunTask",
                    "arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
                ),
            ],
        },
    },
    Method {
        id: "ssm-send-command",
        needs: &["ssm:SendCommand"],
        grants: "acts as the instance's role (Run Command runs a shell script on the instance)",
        shape: Shape::InstanceCommand {
            action: "ssm:SendCommand",
            document: "arn:aws:ssm:{region}::document/AWS-RunShellScript",
        },
    },
    Method {
        id: "ssm-start-session",
        needs: &["ssm:StartSession"],
        grants: "acts as the instance's role (Session Manager opens a shell on the instance)",
        shape: Shape::InstanceCommand {
            action: "ssm:StartSession",
            document: "arn:aws:ssm:{region}:{account}:document/SSM-SessionManagerRunShell",
        },
    },
];

/// The method with this id.
pub fn method(id: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.id == id)
}

/// A resource template filled in.
pub(super) fn fill(template: &str, account: &str, region: &str) -> String {
    template
        .replace("{account}", account)
        .replace("{region}", region)
        .replace("{name}", "polcheck-path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_method_names_what_it_needs() {
        let mut ids: Vec<_> = METHODS.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), METHODS.len());
        assert!(METHODS.len() >= 20);
        for m in METHODS {
            assert!(!m.needs.is_empty(), "{}", m.id);
            if let Shape::PassRole { create, .. } = m.shape {
                for (a, _) in create {
                    assert!(m.needs.contains(a), "{} needs {a}", m.id);
                }
            }
        }
        assert_eq!(
            fill(
                "arn:aws:lambda:{region}:{account}:function:{name}",
                "1",
                "r"
            ),
            "arn:aws:lambda:r:1:function:polcheck-path"
        );
    }
}
