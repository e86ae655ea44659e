//! Bytes → `NetworkModel::import`, then `exposure` and flows between the first interfaces, the
//! internet and a few addresses, on several protocols.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polcheck_core::json;
use polcheck_core::network::{exposure, Endpoint, Flow, NetworkModel};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = json::parse(text) else {
        return;
    };
    let Ok((model, _warnings)) = NetworkModel::import(&[("world.json", &doc)]) else {
        return;
    };
    let _ = exposure(&model);
    let mut ends = vec![
        Endpoint::Internet,
        Endpoint::Ip("10.0.1.5".parse().unwrap()),
        Endpoint::Ip("2001:db8::1".parse().unwrap()),
        Endpoint::Instance("i-missing".into()),
    ];
    for eni in model.interfaces().iter().take(3) {
        ends.push(Endpoint::Interface(eni.id.clone()));
        if let Some(i) = &eni.instance_id {
            ends.push(Endpoint::Instance(i.clone()));
        }
    }
    let protocols: [(u8, Option<u16>, Option<u16>, Option<u8>); 6] = [
        (6, Some(22), None, None),
        (6, Some(443), Some(40000), None),
        (17, Some(53), None, None),
        (1, None, None, None),
        (1, None, None, Some(3)),
        (58, None, None, None),
    ];
    for from in &ends {
        for to in &ends {
            for (protocol, port, source_port, icmp_type) in protocols {
                let flow = Flow {
                    from: from.clone(),
                    to: to.clone(),
                    protocol,
                    port,
                    source_port,
                    icmp_type,
                    icmp_code: None,
                };
                let _ = model.evaluate(&flow);
            }
        }
    }
});
