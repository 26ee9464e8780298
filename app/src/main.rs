//! The Butler Portal single-page app: a Leptos CSR shell (header, sidebar, theme, routing)
//! around the frontend plugins listed in [`plugins`]. Built to wasm by Trunk
//! (`trunk build --release`, see `Trunk.toml`).

#![forbid(unsafe_code)]

mod app;
mod plugins;
mod shell;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
