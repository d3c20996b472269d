//! Checks made just before the node starts, so that unusable settings are refused with one
//! clear sentence instead of a low-level error later, or a silent fallback: a taken port, or a
//! base path that is not a directory.

use sc_network::multiaddr::Protocol;
use sc_service::Configuration;
use std::{
	io,
	net::{IpAddr, SocketAddr, TcpListener},
	path::Path,
};

/// Refuses a configuration the node could not honour, and pins the RPC server to the ports it
/// was given (Substrate would otherwise move to a random port when the chosen one is taken).
pub fn check(config: &mut Configuration) -> Result<(), String> {
	check_base_path(config.base_path.path())?;

	if let Some(endpoints) = config.rpc.addr.as_mut() {
		for endpoint in endpoints.iter_mut() {
			endpoint.retry_random_port = false;
			// An optional endpoint (the IPv6 loopback by default) may fail to bind silently.
			if !endpoint.is_optional {
				check_port_free(endpoint.listen_addr, "RPC", "--rpc-port")?;
			}
		}
	}
	if let Some(prometheus) = &config.prometheus_config {
		check_port_free(prometheus.port, "Prometheus", "--prometheus-port")?;
	}
	for address in &config.network.listen_addresses {
		if let Some(socket) = tcp_socket(address) {
			check_port_free(socket, "P2P", "--port or --listen-addr")?;
		}
	}
	Ok(())
}

fn check_base_path(path: &Path) -> Result<(), String> {
	if path.exists() && !path.is_dir() {
		return Err(format!("the base path {} is not a directory", path.display()));
	}
	std::fs::create_dir_all(path)
		.map_err(|e| format!("the base path {} cannot be created: {e}", path.display()))
}

/// Binds `address` for a moment to learn whether the node will be able to.
fn check_port_free(address: SocketAddr, what: &str, flag: &str) -> Result<(), String> {
	if address.port() == 0 {
		return Ok(());
	}
	match TcpListener::bind(address) {
		Ok(_) => Ok(()),
		Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(format!(
			"the {what} address {address} is already in use; stop what listens there or choose \
			 another port with {flag}"
		)),
		Err(e) => Err(format!("the {what} address {address} cannot be used: {e}")),
	}
}

/// The IP and TCP port of a multiaddress such as `/ip4/127.0.0.1/tcp/30333`, if it has both.
fn tcp_socket(address: &sc_network::Multiaddr) -> Option<SocketAddr> {
	let mut ip = None;
	let mut port = None;
	for protocol in address.iter() {
		match protocol {
			Protocol::Ip4(v4) => ip = Some(IpAddr::V4(v4)),
			Protocol::Ip6(v6) => ip = Some(IpAddr::V6(v6)),
			Protocol::Tcp(p) => port = Some(p),
			_ => {}
		}
	}
	Some(SocketAddr::new(ip?, port?))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tcp_socket_of_multiaddresses() {
		let address: sc_network::Multiaddr = "/ip4/127.0.0.1/tcp/30333".parse().unwrap();
		assert_eq!(tcp_socket(&address), Some("127.0.0.1:30333".parse().unwrap()));
		let address: sc_network::Multiaddr = "/ip6/::1/tcp/1/ws".parse().unwrap();
		assert_eq!(tcp_socket(&address), Some("[::1]:1".parse().unwrap()));
		let address: sc_network::Multiaddr = "/dns/example.com/tcp/1".parse().unwrap();
		assert_eq!(tcp_socket(&address), None);
	}

	#[test]
	fn a_taken_port_is_named_with_its_flag() {
		let taken = TcpListener::bind("127.0.0.1:0").unwrap();
		let address = taken.local_addr().unwrap();
		let error = check_port_free(address, "RPC", "--rpc-port").unwrap_err();
		assert!(error.contains(&address.to_string()) && error.contains("--rpc-port"), "{error}");
		drop(taken);
		assert!(check_port_free(address, "RPC", "--rpc-port").is_ok());
	}

	#[test]
	fn a_file_is_not_a_base_path() {
		let file = std::env::temp_dir().join(format!("repute-preflight-{}", std::process::id()));
		std::fs::write(&file, b"x").unwrap();
		let error = check_base_path(&file).unwrap_err();
		assert!(error.contains("not a directory"), "{error}");
		std::fs::remove_file(&file).unwrap();
	}
}
