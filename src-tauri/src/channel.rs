//! How channel messages reach the page on Linux.
//!
//! Tauri sends a channel message of 8 KiB or more by telling the page to fetch it through the
//! `ipc:` custom protocol. Under WebKitGTK that path is slow for big messages: the response body
//! reaches the web process in small pieces. Measured with a 300,000-line log (28 MB of batches,
//! ~90 messages) in the release build under Xvfb: fetched, the messages queued up to ~0.9 s
//! behind the stream and the web process spent 3.8 s of CPU; handed over as scripts (what Tauri
//! already does below 8 KiB), together with the viewer's redraw limit, no message waited and it
//! spent 1.4–2.4 s. The message stays the
//! channel's typed JSON with its index, so the page's channel still orders them. Other platforms
//! keep Tauri's own delivery.

use std::fmt::Write;

use tauri::ipc::{CallbackFn, InvokeResponseBody};
use tauri::{Runtime, Webview};

/// Below this size Tauri evaluates the message itself.
const TAURI_EVAL_BELOW: usize = 8192;

/// The channel interceptor (`Builder::channel_interceptor`): true when the message was handed
/// to the page here.
pub fn deliver<R: Runtime>(
    webview: &Webview<R>,
    callback: CallbackFn,
    index: usize,
    body: &InvokeResponseBody,
) -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    match body {
        InvokeResponseBody::Json(json) if json.len() >= TAURI_EVAL_BELOW => {
            webview.eval(script(callback.0, index, json)).is_ok()
        }
        _ => false,
    }
}

/// The script that hands message `index` to the page's channel `callback` (as Tauri's own).
/// `json` is serde_json's output: a JavaScript expression as it is.
pub fn script(callback: u32, index: usize, json: &str) -> String {
    let mut s = String::with_capacity(json.len() + 96);
    let _ = write!(
        s,
        "window.__TAURI_INTERNALS__.runCallback({callback}, {{ message: {json}, index: {index} }})"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_calls_the_channel_with_the_message_and_its_index() {
        let json = serde_json::to_string(&serde_json::json!({
            "text": "a \"quoted\" line\nand \u{2028} one more </script>",
            "stderr": [1]
        }))
        .unwrap();
        let s = script(7, 42, &json);
        let (head, rest) = s.split_once("{ message: ").unwrap();
        assert_eq!(head, "window.__TAURI_INTERNALS__.runCallback(7, ");
        let (message, tail) = rest.rsplit_once(", index: ").unwrap();
        assert_eq!(tail, "42 })");
        // The message is the JSON, untouched: the page reads the same value.
        let v: serde_json::Value = serde_json::from_str(message).unwrap();
        assert_eq!(
            v["text"],
            "a \"quoted\" line\nand \u{2028} one more </script>"
        );
    }
}
