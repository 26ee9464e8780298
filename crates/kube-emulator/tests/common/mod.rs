//! Shared helpers for the integration tests.
#![allow(dead_code)]

use kube_emulator::{ControllerConfig, Emulator, EmulatorConfig};
use std::time::Duration;

/// An emulator without the controller.
pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        controller: None,
        ..Default::default()
    })
    .await
    .expect("start")
}

/// An emulator with a fast controller.
pub async fn emulator_with_controller() -> Emulator {
    let cc = ControllerConfig {
        pace: Duration::from_millis(30),
        time_scale: 0.0001,
    };
    Emulator::start(EmulatorConfig {
        controller: Some(cc),
        ..Default::default()
    })
    .await
    .expect("start")
}

/// A kube client for the emulator, optionally impersonating `user` with `groups`.
pub fn client(emu: &Emulator, user: Option<(&str, &[&str])>) -> kube::Client {
    let mut config = kube::Config::new(emu.url().parse().unwrap());
    if let Some((u, groups)) = user {
        config.auth_info.impersonate = Some(u.to_string());
        config.auth_info.impersonate_groups = Some(groups.iter().map(|g| g.to_string()).collect());
    }
    kube::Client::try_from(config).expect("client")
}
