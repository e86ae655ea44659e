//! The network half of `polcheck eval` (`--from`/`--to`) and `polcheck exposure`.

use polcheck_core::network::{Flow, Verdict};
use polcheck_core::Engine;
use serde_json::json;

use crate::output::{colour, paint};
use crate::ExitCode;

/// The flow flags of `polcheck eval`.
#[derive(clap::Args, Default)]
pub struct FlowArgs {
    /// Flow source: `internet`, an IP address, an instance or an interface id.
    #[arg(long)]
    pub from: Option<String>,
    /// Flow destination: an instance or interface id, or an IP address.
    #[arg(long)]
    pub to: Option<String>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// Destination port (tcp, udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// The client's port; absent means any port of 1024-65535.
    #[arg(long)]
    pub source_port: Option<u16>,
    /// ICMP type.
    #[arg(long)]
    pub icmp_type: Option<i32>,
    /// ICMP code.
    #[arg(long)]
    pub icmp_code: Option<i32>,
}

impl FlowArgs {
    /// `true` when the flags ask about a flow.
    pub fn is_flow(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// The flow, in the suite format's shape, read by the core.
    pub fn flow(&self) -> Result<Flow, String> {
        let (Some(from), Some(to)) = (&self.from, &self.to) else {
            return Err("a flow needs both --from and --to".into());
        };
        let mut v = json!({ "from": from, "to": to, "protocol": self.protocol });
        if let Some(p) = self.port {
            v["port"] = json!(p);
        }
        if let Some(p) = self.source_port {
            v["sourcePort"] = json!(p);
        }
        if let Some(t) = self.icmp_type {
            v["icmpType"] = json!(t);
        }
        if let Some(c) = self.icmp_code {
            v["icmpCode"] = json!(c);
        }
        Flow::from_test_json(&v).map_err(|e| e.to_string())
    }
}

/// Prints a verdict as text: the answer, every blocker, then the path.
pub fn print_verdict(flow: &FlowArgs, v: &Verdict) {
    let c = colour();
    let answer = if v.allowed {
        paint("ALLOWED", "32", c)
    } else {
        paint("DENIED", "31", c)
    };
    let port = flow.port.map(|p| format!(" port {p}")).unwrap_or_default();
    println!(
        "{answer}  {} -> {} {}{port}",
        flow.from.as_deref().unwrap_or_default(),
        flow.to.as_deref().unwrap_or_default(),
        flow.protocol
    );
    for b in &v.blockers {
        let rule = b
            .rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        println!(
            "  blocked by {} {}{rule} [{} {}]: {}",
            b.kind.as_str(),
            b.component,
            word(&b.direction),
            word(&b.code),
            b.explanation
        );
    }
    for h in &v.hops {
        let rule = h
            .rule
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        println!(
            "  {} {} {}{rule}",
            word(&h.direction),
            word(&h.kind),
            h.component
        );
    }
}

/// Exit code for a verdict.
pub fn code(v: &Verdict) -> ExitCode {
    if v.allowed {
        ExitCode::Success
    } else {
        ExitCode::Negative
    }
}

#[derive(clap::Args)]
pub struct ExposureArgs {
    /// World files or directories (default: the bundled demo world).
    #[arg(long = "world", value_name = "FILE|DIR")]
    worlds: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Text)]
    format: crate::output::Format,
}

/// `polcheck exposure`: every instance port reachable from the internet.
pub fn run_exposure(args: ExposureArgs) -> ExitCode {
    let found = match crate::world::from_flags(Engine::builder(), &args.worlds)
        .and_then(|engine| engine.exposure().map_err(|e| e.to_string()))
    {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::InputError;
        }
    };
    match args.format {
        crate::output::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        ),
        crate::output::Format::Text => {
            for e in &found {
                let ports: Vec<String> = e.ports.iter().map(ToString::to_string).collect();
                let who = e.instance_id.as_deref().unwrap_or(&e.interface_id);
                println!(
                    "{who}  {}  {}  {} {}",
                    e.address,
                    e.subnet_id,
                    e.protocol,
                    ports.join(",")
                );
            }
            println!("{} exposed interface-protocol pairs", found.len());
        }
    }
    ExitCode::Success
}

/// A serializable enum as the word its JSON form uses (`SECURITY_GROUP_NO_INGRESS`, `forward`).
fn word<T: serde::Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
