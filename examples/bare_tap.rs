//! The benchmark baseline for `handoff tap`, and the publisher of its events.
//! `scripts/bench-tap` runs both; each mode is one whole process:
//!
//!     cargo run --release --example bare_tap -- publish URL N      # N envelopes, 256 acks in flight
//!     cargo run --release --example bare_tap -- read URL N         # the bare read loop
//!     cargo run --release --example bare_tap -- read-current-thread URL N
//!
//! `read` is the loop anyone would write with async-nats: an ordered pull consumer on the
//! stream, every message counted and its payload length summed, nothing checked or written. It
//! runs on the same runtime shape as `handoff tap` (the caller's thread and one worker), with
//! the same allocator, so the ratio is of the work. The stream is the registry's
//! (`ACTIVITY_EVENTS`), subjects `org.statehub.>`. `read-current-thread` is the same loop on a
//! current-thread runtime (socket and loop on one thread), for comparison.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark tool: its figures are the output

use std::time::{Duration, Instant};

use futures::StreamExt;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small valid envelope (~280 bytes), a distinct id per `i`.
fn envelope(i: u64) -> Vec<u8> {
    format!(
        r#"{{"id":"{}","type":"org.statehub.task.stale","version":"1.0","timestamp":"2026-11-26T12:00:00.000000Z","publisher":"state-hub","attributes":{{"task_id":"e4b1a7c9-2d3f-4c6e-9a8b-0f1d2c3b4a56","last_activity_at":"2026-10-12T13:20:00Z","stale_days":{}}}}}"#,
        uuid::Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 | u128::from(i))
            .hyphenated(),
        i % 100
    )
    .into_bytes()
}

async fn publish(url: &str, n: u64) -> Result<(), String> {
    let client = async_nats::connect(url).await.map_err(|e| e.to_string())?;
    let js = async_nats::jetstream::new(client);
    let t = Instant::now();
    let mut acks = futures::stream::FuturesOrdered::new();
    for i in 0..n {
        let ack = js
            .publish("org.statehub.task.stale", envelope(i).into())
            .await
            .map_err(|e| e.to_string())?;
        acks.push_back(ack.into_future());
        if acks.len() >= 256
            && let Some(a) = acks.next().await
        {
            a.map_err(|e| e.to_string())?;
        }
    }
    while let Some(a) = acks.next().await {
        a.map_err(|e| e.to_string())?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "published {n} envelopes of {} bytes in {secs:.2} s ({:.0} msg/s)",
        envelope(0).len(),
        n as f64 / secs
    );
    Ok(())
}

async fn read(url: &str, n: u64) -> Result<(), String> {
    let client = async_nats::connect(url).await.map_err(|e| e.to_string())?;
    let js = async_nats::jetstream::new(client);
    let stream = js
        .get_stream("ACTIVITY_EVENTS")
        .await
        .map_err(|e| e.to_string())?;
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig {
            filter_subject: "org.statehub.>".into(),
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
    let (mut count, mut bytes) = (0u64, 0usize);
    while count < n {
        let m = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .map_err(|_| "the read loop stalled for 10 s".to_string())?
            .ok_or("the consumer ended")?
            .map_err(|e| e.to_string())?;
        bytes += m.payload.len();
        count += 1;
    }
    println!("read {count} messages, {bytes} bytes");
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, url, n) = match args.as_slice() {
        [mode, url, n] => (
            mode.as_str(),
            url.as_str(),
            n.parse::<u64>().expect("N is a number"),
        ),
        _ => {
            eprintln!("usage: bare_tap publish|read URL N");
            std::process::exit(2);
        }
    };
    let rt = if mode == "read-current-thread" {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
    }
    .expect("runtime");
    let result = rt.block_on(async {
        match mode {
            "publish" => publish(url, n).await,
            "read" | "read-current-thread" => read(url, n).await,
            _ => Err(format!("unknown mode {mode}")),
        }
    });
    if let Err(e) = result {
        eprintln!("bare_tap: {e}");
        std::process::exit(1);
    }
}
