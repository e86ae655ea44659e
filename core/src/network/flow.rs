//! A flow: one conversation to check, as a test suite's `flow` object states it.
//!
//! ```
//! use polcheck_core::network::{Endpoint, Flow};
//! let flow = Flow::from_test_json(&serde_json::json!({
//!     "from": "internet", "to": "i-0bastion", "protocol": "tcp", "port": 22
//! })).unwrap();
//! assert_eq!(flow.from, Endpoint::Internet);
//! assert_eq!(flow.protocol, 6);
//! ```

use std::fmt;
use std::net::IpAddr;

use serde_json::Value;

use super::error::FlowError;
use super::protocol::{has_ports, is_icmp, Protocol, ICMP};

/// One end of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `internet`: any public IPv4 address outside every VPC that no narrower rule names.
    Internet,
    /// An IPv4 or IPv6 address: an interface's private or public address, or an address
    /// outside every VPC.
    Ip(IpAddr),
    /// An instance id (`i-...`): its primary network interface.
    Instance(String),
    /// A network behind a site-to-site VPN: `on-premises` (the world's only VPN connection),
    /// a VPN connection id (`vpn-...`) or its `Name` tag given as `on-premises:NAME`.
    OnPremises(String),
    /// A network interface id (`eni-...`, or `<instance-id>/eth0` for instances exported
    /// without interfaces), or an interface VPC endpoint (`vpce-...`: its first interface).
    Interface(String),
}

impl Endpoint {
    /// Reads `internet`, an address, `i-...` or `eni-...`.
    pub fn parse(text: &str) -> Result<Endpoint, FlowError> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("internet") {
            return Ok(Endpoint::Internet);
        }
        if let Ok(ip) = t.parse::<IpAddr>() {
            return Ok(Endpoint::Ip(ip));
        }
        if t.eq_ignore_ascii_case("on-premises") || t.starts_with("vpn-") {
            return Ok(Endpoint::OnPremises(t.to_string()));
        }
        if let Some(name) = t.strip_prefix("on-premises:") {
            return Ok(Endpoint::OnPremises(name.to_string()));
        }
        if t.starts_with("eni-") || t.starts_with("vpce-") || t.contains('/') {
            return Ok(Endpoint::Interface(t.to_string()));
        }
        if t.starts_with("i-") {
            return Ok(Endpoint::Instance(t.to_string()));
        }
        Err(FlowError::Invalid(format!(
            "endpoint `{t}` is not `internet`, `on-premises`, an ip address, an instance id, an interface or endpoint id or a vpn connection id"
        )))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Internet => f.write_str("internet"),
            Endpoint::Ip(a) => write!(f, "{a}"),
            Endpoint::Instance(id) | Endpoint::Interface(id) | Endpoint::OnPremises(id) => {
                f.write_str(id)
            }
        }
    }
}

/// A conversation to check: the first packet from `from` to `to`, and its reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flow {
    /// The client.
    pub from: Endpoint,
    /// The server.
    pub to: Endpoint,
    /// IANA protocol number (`tcp` is 6).
    pub protocol: u8,
    /// Destination port, for TCP and UDP.
    pub port: Option<u16>,
    /// The client's port; `None` means any ephemeral port 1024-65535, and the reply must then
    /// pass for every one of them.
    pub source_port: Option<u16>,
    /// ICMP type; `None` means echo request (8 for ICMP, 128 for ICMPv6).
    pub icmp_type: Option<u8>,
    /// ICMP code; `None` means 0.
    pub icmp_code: Option<u8>,
}

const FLOW_KEYS: [&str; 7] = [
    "from",
    "to",
    "protocol",
    "port",
    "sourcePort",
    "icmpType",
    "icmpCode",
];

impl Flow {
    /// A TCP flow to `port` from any ephemeral port.
    pub fn tcp(from: Endpoint, to: Endpoint, port: u16) -> Flow {
        Flow {
            from,
            to,
            protocol: super::protocol::TCP,
            port: Some(port),
            source_port: None,
            icmp_type: None,
            icmp_code: None,
        }
    }

    /// Reads a test suite's `flow` object: `from`, `to`, `protocol` (a name or a number as a
    /// string), `port`, `sourcePort`, `icmpType`, `icmpCode`. Unknown members are errors.
    pub fn from_test_json(value: &Value) -> Result<Flow, FlowError> {
        let obj = value
            .as_object()
            .ok_or_else(|| FlowError::Invalid("a flow must be an object".into()))?;
        if let Some(k) = obj.keys().find(|k| !FLOW_KEYS.contains(&k.as_str())) {
            return Err(FlowError::Invalid(format!("unknown member `{k}`")));
        }
        let text = |key: &str| -> Result<String, FlowError> {
            match obj.get(key) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) if key == "protocol" => Ok(n.to_string()),
                Some(_) => Err(FlowError::Invalid(format!("`{key}` must be a string"))),
                None => Err(FlowError::Invalid(format!("missing `{key}`"))),
            }
        };
        let number = |key: &str, max: u64| -> Result<Option<u64>, FlowError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_u64().filter(|n| *n <= max).map(Some).ok_or_else(|| {
                    FlowError::Invalid(format!("`{key}` must be an integer from 0 to {max}"))
                }),
            }
        };
        let proto_text = text("protocol")?;
        let protocol = match Protocol::parse(&proto_text) {
            Some(Protocol::Number(n)) => n,
            _ => {
                return Err(FlowError::Invalid(format!(
                    "protocol `{proto_text}` is not `tcp`, `udp`, `icmp`, `icmpv6` or a number from 0 to 255"
                )))
            }
        };
        // The `u16`/`u8` conversions cannot fail: `number` bounds each value by the type's max.
        let port16 = |key| number(key, 65535).map(|n| n.and_then(|n| u16::try_from(n).ok()));
        let byte = |key| number(key, 255).map(|n| n.and_then(|n| u8::try_from(n).ok()));
        let flow = Flow {
            from: Endpoint::parse(&text("from")?)?,
            to: Endpoint::parse(&text("to")?)?,
            protocol,
            port: port16("port")?,
            source_port: port16("sourcePort")?,
            icmp_type: byte("icmpType")?,
            icmp_code: byte("icmpCode")?,
        };
        flow.validate()?;
        Ok(flow)
    }

    /// Checks that the fields fit the protocol: a port for TCP and UDP, no port otherwise.
    pub fn validate(&self) -> Result<(), FlowError> {
        if has_ports(self.protocol) && self.port.is_none() {
            return Err(FlowError::Invalid(
                "a tcp or udp flow needs a `port`".into(),
            ));
        }
        if !has_ports(self.protocol) && (self.port.is_some() || self.source_port.is_some()) {
            return Err(FlowError::Invalid(
                "only tcp and udp flows take `port` and `sourcePort`".into(),
            ));
        }
        if !is_icmp(self.protocol) && (self.icmp_type.is_some() || self.icmp_code.is_some()) {
            return Err(FlowError::Invalid(
                "only icmp and icmpv6 flows take `icmpType` and `icmpCode`".into(),
            ));
        }
        Ok(())
    }

    /// The ICMP type and code the first packet carries (echo request unless stated).
    pub fn icmp(&self) -> Option<(u8, u8)> {
        let default_type = if self.protocol == ICMP { 8 } else { 128 };
        is_icmp(self.protocol).then(|| {
            (
                self.icmp_type.unwrap_or(default_type),
                self.icmp_code.unwrap_or(0),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_member_and_protocol_numbers() {
        let f = Flow::from_test_json(&json!({
            "from": "10.0.1.10", "to": "eni-0db", "protocol": "17", "port": 53, "sourcePort": 40000
        }))
        .unwrap();
        assert_eq!(f.from, Endpoint::Ip("10.0.1.10".parse().unwrap()));
        assert_eq!(f.to, Endpoint::Interface("eni-0db".into()));
        assert_eq!(
            (f.protocol, f.port, f.source_port),
            (17, Some(53), Some(40000))
        );
        let ping =
            Flow::from_test_json(&json!({"from": "i-1", "to": "2001:db8::1", "protocol": "58"}))
                .unwrap();
        assert_eq!(ping.icmp(), Some((128, 0)));
        let icmp = Flow::from_test_json(
            &json!({"from": "i-1", "to": "i-2", "protocol": "1", "icmpType": 3, "icmpCode": 4}),
        )
        .unwrap();
        assert_eq!(icmp.icmp(), Some((3, 4)));
    }

    #[test]
    fn rejects_malformed_flows() {
        for bad in [
            json!({"from": "internet", "to": "i-1", "protocol": "tcp"}),
            json!({"from": "internet", "to": "i-1", "protocol": "-1"}),
            json!({"from": "internet", "to": "i-1", "protocol": "tcp", "port": 70000}),
            json!({"from": "internet", "to": "i-1", "protocol": "tcp", "port": 22, "extra": 1}),
            json!({"from": "nowhere", "to": "i-1", "protocol": "tcp", "port": 22}),
            json!({"from": "internet", "to": "i-1", "protocol": "icmp", "port": 22}),
        ] {
            assert!(Flow::from_test_json(&bad).is_err(), "{bad}");
        }
    }
}
