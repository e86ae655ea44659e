//! Findings as SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), the
//! format GitHub code scanning and other CI dashboards read: one run of the tool `polcheck`,
//! one rule per finding code used, one result per finding on the policy file's line and
//! column (for a policy embedded in a JSON string, the string's position), with the JSON
//! path as its logical location and the one-line fix in its message.
//!
//! ```
//! use polcheck_core::validate::{sarif, validate_text, Options};
//! let text = r#"{"Version": "2012-10-17", "Statement": {
//!   "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}}"#;
//! let findings = validate_text(text, &Options::default());
//! let log = sarif::log(&[("policy.json".to_string(), findings)], "0.1.0");
//! assert_eq!(log["version"], "2.1.0");
//! let result = &log["runs"][0]["results"][0];
//! assert_eq!(result["ruleId"], "unknown-action");
//! assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
//! ```

use serde_json::{json, Value};

use super::{Finding, Severity};

/// The SARIF level of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF log of every file's findings; `version` is the tool's version.
pub fn log(files: &[(String, Vec<Finding>)], version: &str) -> Value {
    let mut rules: Vec<&'static str> = Vec::new();
    let mut results = Vec::new();
    for (file, findings) in files {
        let uri = file.replace('\\', "/");
        for f in findings {
            let index = match rules.iter().position(|r| *r == f.code) {
                Some(i) => i,
                None => {
                    rules.push(f.code);
                    rules.len() - 1
                }
            };
            let mut text = f.message.clone();
            if let Some(s) = &f.suggestion {
                text.push_str(&format!(" (did you mean `{s}`?)"));
            }
            if let Some(fix) = &f.fix {
                text.push_str(&format!(". Fix: {fix}"));
            }
            results.push(json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {
                            "startLine": f.location.position.line.max(1),
                            "startColumn": f.location.position.column.max(1),
                        },
                    },
                    "logicalLocations": [{
                        "fullyQualifiedName": f.location.path.to_string(),
                        "kind": "member",
                    }],
                }],
            }));
        }
    }
    let rules: Vec<Value> = rules
        .iter()
        .map(|code| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": format!("polcheck validate finding `{code}`")},
                "helpUri": "https://example.invalid/polcheck/docs/validate.md",
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "polcheck",
                "version": version,
                "informationUri": "https://example.invalid/polcheck",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
