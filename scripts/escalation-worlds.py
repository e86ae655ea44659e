#!/usr/bin/env python3
"""Writes corpus/worlds/escalation/METHOD.json: for each edge kind of core/src/paths/methods.rs,
a small estate where the principals named `open-*` can become admin through that method and
those named `closed-*` cannot (a boundary, an SCP, a condition or a trust policy closes it).
core/tests/paths_escalation.rs checks both. Run from the repository root."""
import json, os

A, B = "111122223333", "222233334444"
ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}

def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}

def allow(actions, resources="*", **extra):
    s = {"Effect": "Allow", "Action": actions, "Resource": resources}
    s.update(extra)
    return s

def user(name, statements=(), account=A, groups=(), managed=(), boundary=None, tags=None):
    u = {"UserName": name, "UserId": "AIDA" + name.upper().replace("-", "")[:12],
         "Arn": f"arn:aws:iam::{account}:user/{name}", "GroupList": list(groups),
         "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(*statements)}] if statements else [],
         "AttachedManagedPolicies": [{"PolicyName": m.rsplit('/', 1)[1], "PolicyArn": m} for m in managed]}
    if boundary:
        u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    if tags:
        u["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return u

def role(name, trust, statements=(), account=A, boundary=None, profiles=()):
    r = {"RoleName": name, "RoleId": "AROA" + name.upper().replace("-", "")[:12],
         "Arn": f"arn:aws:iam::{account}:role/{name}", "AssumeRolePolicyDocument": doc(*trust),
         "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": doc(*statements)}] if statements else [],
         "AttachedManagedPolicies": []}
    if profiles:
        # get-account-authorization-details lists a role's instance profiles under it.
        r["InstanceProfileList"] = [{"Path": "/", "InstanceProfileName": p, "InstanceProfileId": "AIPA" + p.upper()[:12],
                                     "Arn": f"arn:aws:iam::{account}:instance-profile/{p}", "Roles": []} for p in profiles]
    if boundary:
        r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    return r

def trust_aws(*arns):
    return {"Effect": "Allow", "Principal": {"AWS": list(arns)}, "Action": "sts:AssumeRole"}

def trust_service(s):
    return {"Effect": "Allow", "Principal": {"Service": s}, "Action": "sts:AssumeRole"}

def managed(name, versions, account=A):
    """versions: list of documents, the first is the default."""
    return {"PolicyName": name, "Arn": f"arn:aws:iam::{account}:policy/{name}", "DefaultVersionId": "v2",
            "PolicyVersionList": [{"VersionId": f"v{len(versions) - i}", "IsDefaultVersion": i == 0, "Document": d}
                                  for i, d in enumerate(versions)]}

S3_ONLY = managed("S3Only", [doc(allow("s3:*"))])
BOUNDARY = f"arn:aws:iam::{A}:policy/S3Only"

def org(scp_deny_actions=None):
    o = {"Accounts": {A: ["r-esc", "ou-open"], B: ["r-esc", "ou-locked"]},
         "ServiceControlPolicies": [{"Name": "FullAWSAccess", "Targets": ["r-esc", "ou-open", "ou-locked"], "Policy": doc(ALL)}]}
    if scp_deny_actions:
        o["ServiceControlPolicies"].append({"Name": "Locked", "Targets": ["ou-locked"],
            "Policy": doc({"Effect": "Deny", "Action": scp_deny_actions, "Resource": "*"})})
    return o

def arn(kind, name, account=A):
    return f"arn:aws:iam::{account}:{kind}/{name}"

worlds = {}

def world(method, closed_by, users=(), roles=(), groups=(), policies=(), scp=None, network=None):
    worlds[method] = {"AccountId": A, "UserDetailList": list(users), "GroupDetailList": list(groups),
                      "RoleDetailList": list(roles), "Policies": [S3_ONLY, *policies], "Organization": scp if isinstance(scp, dict) else org(scp),
                      "ResourcePolicies": [], **(network or {}), "_closedBy": closed_by}

def instances(*specs):
    """describe-vpcs / describe-subnets / describe-instances for instances given as
    (id, instance profile name or None, state)."""
    vpc, subnet = "vpc-0e5c0000000000001", "subnet-0e5c000000000001"
    return {"Vpcs": [{"VpcId": vpc, "CidrBlock": "10.9.0.0/16", "OwnerId": A}],
            "Subnets": [{"SubnetId": subnet, "VpcId": vpc, "CidrBlock": "10.9.1.0/24", "AvailabilityZone": "us-east-1a", "OwnerId": A}],
            "Reservations": [{"ReservationId": "r-0e5c000000000001", "OwnerId": A, "Instances": [
                dict({"InstanceId": iid, "State": {"Name": state}, "SubnetId": subnet, "VpcId": vpc,
                      "PrivateIpAddress": f"10.9.1.{10 + n}", "Placement": {"AvailabilityZone": "us-east-1a"}},
                     **({"IamInstanceProfile": {"Arn": f"arn:aws:iam::{A}:instance-profile/{profile}", "Id": "AIPA" + profile.upper()[:12]}}
                        if profile else {}))
                for n, (iid, profile, state) in enumerate(specs)]}]}

# assume-role: the trust policy names only open-user.
world("assume-role", "trust policy",
      users=[user("open-user", [allow("sts:AssumeRole", arn("role", "Admin"))]),
             user("closed-user", [allow("sts:AssumeRole", arn("role", "Admin"))])],
      roles=[role("Admin", [trust_aws(arn("user", "open-user"))], [ALL])])

shared = managed("Shared", [doc(allow("s3:GetObject"))])
world("create-policy-version", "boundary",
      users=[user("open-user", [allow("iam:CreatePolicyVersion", shared["Arn"])], managed=[shared["Arn"]]),
             user("closed-user", [allow("iam:CreatePolicyVersion", shared["Arn"])], managed=[shared["Arn"]], boundary=BOUNDARY)],
      policies=[shared])

versioned = managed("Versioned", [doc(allow("s3:GetObject")), doc(ALL)])
world("set-default-policy-version", "boundary",
      users=[user("open-user", [allow("iam:SetDefaultPolicyVersion", versioned["Arn"])], managed=[versioned["Arn"]]),
             user("closed-user", [allow("iam:SetDefaultPolicyVersion", versioned["Arn"])], managed=[versioned["Arn"]], boundary=BOUNDARY)],
      policies=[versioned])

for method, action in [("attach-user-policy", "iam:AttachUserPolicy"), ("put-user-policy", "iam:PutUserPolicy")]:
    world(method, "SCP",
          users=[user("open-user", [allow(action, arn("user", "open-user"))]),
                 user("closed-user", [allow(action, arn("user", "closed-user", B))], account=B)],
          scp=[action])

for method, action in [("attach-group-policy", "iam:AttachGroupPolicy"), ("put-group-policy", "iam:PutGroupPolicy")]:
    world(method, "boundary",
          users=[user("open-user", [allow(action, arn("group", "Team"))], groups=["Team"]),
                 user("closed-user", [allow(action, arn("group", "Team"))], groups=["Team"], boundary=BOUNDARY)],
          groups=[{"GroupName": "Team", "Arn": arn("group", "Team"), "GroupPolicyList": [], "AttachedManagedPolicies": []}])

world("attach-role-policy", "boundary (of the role)",
      users=[user("open-user", [allow(["iam:AttachRolePolicy", "sts:AssumeRole"], arn("role", "Worker"))]),
             user("closed-user", [allow(["iam:AttachRolePolicy", "sts:AssumeRole"], arn("role", "Bounded"))])],
      roles=[role("Worker", [trust_aws(arn("user", "open-user"))], [allow("s3:GetObject")]),
             role("Bounded", [trust_aws(arn("user", "closed-user"))], [allow("s3:GetObject")], boundary=BOUNDARY)])

world("put-role-policy", "trust policy",
      users=[user("open-user", [allow(["iam:PutRolePolicy", "sts:AssumeRole"], arn("role", "Worker"))]),
             user("closed-user", [allow(["iam:PutRolePolicy", "sts:AssumeRole"], arn("role", "Worker"))])],
      roles=[role("Worker", [trust_aws(arn("user", "open-user"))], [allow("s3:GetObject")])])

world("add-user-to-group", "boundary",
      users=[user("open-user", [allow("iam:AddUserToGroup", arn("group", "Admins"))]),
             user("closed-user", [allow("iam:AddUserToGroup", arn("group", "Admins"))], boundary=BOUNDARY)],
      groups=[{"GroupName": "Admins", "Arn": arn("group", "Admins"),
               "GroupPolicyList": [{"PolicyName": "all", "PolicyDocument": doc(ALL)}], "AttachedManagedPolicies": []}])

for method, action, closer in [("create-access-key", "iam:CreateAccessKey", "boundary"),
                               ("create-login-profile", "iam:CreateLoginProfile", "deny"),
                               ("update-login-profile", "iam:UpdateLoginProfile", "condition")]:
    closed = [allow(action, arn("user", "admin"))]
    kw = {}
    if closer == "boundary":
        kw["boundary"] = BOUNDARY
    elif closer == "deny":
        closed.append({"Effect": "Deny", "Action": action, "Resource": "*"})
    else:
        # Only for principals tagged team=security, and closed-user is tagged team=dev: the
        # world holds the caller's tags (aws:PrincipalTag), so no context can change them.
        closed = [allow(action, arn("user", "admin"), Condition={"StringEquals": {"aws:PrincipalTag/team": "security"}})]
        kw["tags"] = {"team": "dev"}
    world(method, {"boundary": "boundary", "deny": "explicit deny", "condition": "condition"}[closer],
          users=[user("open-user", [allow(action, arn("user", "admin"))]),
                 user("closed-user", closed, **kw),
                 user("admin", [ALL])])

world("update-assume-role-policy", "boundary",
      users=[user("open-user", [allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], arn("role", "Admin"))]),
             user("closed-user", [allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], arn("role", "Admin"))], boundary=BOUNDARY)],
      roles=[role("Admin", [trust_service("ec2.amazonaws.com")], [ALL])])

passrole = {
    "passrole-lambda": ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"]),
    "passrole-lambda-event-source": ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:CreateEventSourceMapping"]),
    "passrole-ec2": ("ec2.amazonaws.com", ["ec2:RunInstances"]),
    "passrole-cloudformation": ("cloudformation.amazonaws.com", ["cloudformation:CreateStack"]),
    "passrole-glue": ("glue.amazonaws.com", ["glue:CreateDevEndpoint"]),
    "passrole-datapipeline": ("datapipeline.amazonaws.com", ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"]),
    "passrole-codebuild": ("codebuild.amazonaws.com", ["codebuild:CreateProject", "codebuild:StartBuild"]),
    "passrole-sagemaker-notebook": ("sagemaker.amazonaws.com", ["sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"]),
    "passrole-sagemaker-training": ("sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"]),
    "passrole-ecs": ("ecs-tasks.amazonaws.com", ["ecs:RegisterTaskDefinition", "ecs:RunTask"]),
}
for method, (service, creates) in passrole.items():
    # closed-user may pass the role only to another service: iam:PassedToService closes it.
    world(method, "condition (iam:PassedToService)",
          users=[user("open-user", [allow("iam:PassRole", arn("role", "ServiceAdmin")), allow(creates)]),
                 user("closed-user", [allow("iam:PassRole", arn("role", "ServiceAdmin"),
                                            Condition={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}),
                                      allow(creates)])],
          roles=[role("ServiceAdmin", [trust_service(service)], [ALL])])

# SSM: a command or a shell on an instance runs with its instance profile's role (the join of
# describe-instances' IamInstanceProfile.Arn with the role's InstanceProfileList). The instance
# i-0e5c...a2 has no profile and i-0e5c...a3 is stopped: neither gives an edge.
ssm_network = instances(("i-0e5c0000000000a1", "AdminProfile", "running"),
                        ("i-0e5c0000000000a2", None, "running"),
                        ("i-0e5c0000000000a3", "StoppedProfile", "stopped"))
ssm_roles = [role("InstanceAdmin", [trust_service("ec2.amazonaws.com")], [ALL], profiles=["AdminProfile"]),
             role("StoppedAdmin", [trust_service("ec2.amazonaws.com")], [ALL], profiles=["StoppedProfile"])]
instance_arns = f"arn:aws:ec2:us-east-1:{A}:instance/*"
# Run Command: ssm:SendCommand is asked of the instance and of the document (AWS-owned
# documents have no account in their ARN). open-tagged may only reach instances tagged
# Team=ops (ssm:resourceTag, which the export does not hold): a conditional edge.
run_shell = "arn:aws:ssm:us-east-1::document/AWS-RunShellScript"
world("ssm-send-command", "boundary",
      users=[user("open-user", [allow("ssm:SendCommand", [instance_arns, run_shell])]),
             user("open-tagged", [allow("ssm:SendCommand", run_shell),
                                  allow("ssm:SendCommand", instance_arns, Condition={"StringEquals": {"ssm:resourceTag/Team": "ops"}})]),
             user("closed-user", [allow("ssm:SendCommand", [instance_arns, run_shell])], boundary=BOUNDARY)],
      roles=ssm_roles, network=ssm_network)
# Session Manager: ssm:StartSession on the instance and the default session document
# SSM-SessionManagerRunShell of the caller's account. An SCP denies it to closed-* principals.
session_doc = f"arn:aws:ssm:us-east-1:{A}:document/SSM-SessionManagerRunShell"
ssm_org = org()
ssm_org["ServiceControlPolicies"].append({"Name": "NoSessionsForContractors", "Targets": ["ou-open"], "Policy": doc(
    {"Effect": "Deny", "Action": "ssm:StartSession", "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/closed-*"}}})})
world("ssm-start-session", "SCP",
      users=[user("open-user", [allow("ssm:StartSession", [instance_arns, session_doc])]),
             user("closed-user", [allow("ssm:StartSession", [instance_arns, session_doc])])],
      roles=ssm_roles, scp=ssm_org, network=ssm_network)

# Cross-account: a user of A assumes a role of B that trusts it; B's SCP or A's boundary decide.
world("cross-account", "boundary (caller's side)",
      users=[user("open-user", [allow("sts:AssumeRole", arn("role", "Partner", B))]),
             user("closed-user", [allow("sts:AssumeRole", arn("role", "Partner", B))], boundary=BOUNDARY)],
      roles=[role("Partner", [trust_aws(arn("user", "open-user"), arn("user", "closed-user"))], [ALL], account=B)])

os.makedirs("corpus/worlds/escalation", exist_ok=True)
for method, w in worlds.items():
    closed_by = w.pop("_closedBy")
    w = {"AccountId": A, **{k: v for k, v in w.items() if k != "AccountId"}}
    text = json.dumps(w, indent=1)
    with open(f"corpus/worlds/escalation/{method}.json", "w") as f:
        f.write(text + "\n")
    print(method, "closed by", closed_by)
