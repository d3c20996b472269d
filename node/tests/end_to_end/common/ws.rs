//! A minimal WebSocket client over `std::net::TcpStream`, enough to hold a JSON-RPC
//! subscription open against the node in tests (text frames, ping/pong, no extensions).

use serde_json::{json, Value};
use std::{
	io::{Read, Write},
	net::TcpStream,
	time::{Duration, Instant},
};

/// One WebSocket connection to the node's RPC port.
pub struct WsClient {
	stream: TcpStream,
}

impl WsClient {
	/// Opens a WebSocket to 127.0.0.1:`port`.
	pub fn connect(port: u16) -> Result<Self, String> {
		let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
		let request = format!(
			"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
			 Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
			 Sec-WebSocket-Version: 13\r\n\r\n"
		);
		stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
		let mut head = Vec::new();
		let mut byte = [0u8; 1];
		while !head.ends_with(b"\r\n\r\n") {
			stream.read_exact(&mut byte).map_err(|e| e.to_string())?;
			head.push(byte[0]);
		}
		let head = String::from_utf8_lossy(&head);
		if !head.starts_with("HTTP/1.1 101") {
			return Err(format!("no WebSocket upgrade: {head}"));
		}
		Ok(Self { stream })
	}

	/// Sends one text frame (masked, as clients must).
	pub fn send(&mut self, text: &str) -> Result<(), String> {
		self.send_frame(0x1, text.as_bytes())
	}

	fn send_frame(&mut self, opcode: u8, payload: &[u8]) -> Result<(), String> {
		let mask = [0x12u8, 0x34, 0x56, 0x78];
		let mut frame = vec![0x80 | opcode];
		match payload.len() {
			n if n < 126 => frame.push(0x80 | n as u8),
			n if n <= u16::MAX as usize => {
				frame.push(0x80 | 126);
				frame.extend_from_slice(&(n as u16).to_be_bytes());
			}
			n => {
				frame.push(0x80 | 127);
				frame.extend_from_slice(&(n as u64).to_be_bytes());
			}
		}
		frame.extend_from_slice(&mask);
		frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
		self.stream.write_all(&frame).map_err(|e| e.to_string())
	}

	/// The next text message, answering pings on the way; `Err` after `timeout`.
	pub fn recv(&mut self, timeout: Duration) -> Result<String, String> {
		let deadline = Instant::now() + timeout;
		loop {
			let left = deadline.saturating_duration_since(Instant::now());
			if left.is_zero() {
				return Err("timed out waiting for a WebSocket message".into());
			}
			self.stream.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
			let mut header = [0u8; 2];
			self.stream.read_exact(&mut header).map_err(|e| e.to_string())?;
			let opcode = header[0] & 0x0f;
			let mut length = u64::from(header[1] & 0x7f);
			if length == 126 {
				let mut ext = [0u8; 2];
				self.stream.read_exact(&mut ext).map_err(|e| e.to_string())?;
				length = u64::from(u16::from_be_bytes(ext));
			} else if length == 127 {
				let mut ext = [0u8; 8];
				self.stream.read_exact(&mut ext).map_err(|e| e.to_string())?;
				length = u64::from_be_bytes(ext);
			}
			let mut payload = vec![0u8; length as usize];
			self.stream.read_exact(&mut payload).map_err(|e| e.to_string())?;
			match opcode {
				0x1 => return String::from_utf8(payload).map_err(|e| e.to_string()),
				0x9 => self.send_frame(0xA, &payload)?,
				0x8 => return Err("the node closed the WebSocket".into()),
				_ => {}
			}
		}
	}

	/// Sends a JSON-RPC request and returns its response, skipping notifications meanwhile.
	pub fn call(&mut self, id: u64, method: &str, params: Value) -> Result<Value, String> {
		let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
		self.send(&request.to_string())?;
		loop {
			let message: Value = serde_json::from_str(&self.recv(Duration::from_secs(10))?)
				.map_err(|e| e.to_string())?;
			if message["id"] == json!(id) {
				return Ok(message);
			}
		}
	}
}
