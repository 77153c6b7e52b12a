//! Driving a load with `wrk` (Debian package `wrk`), which costs far less CPU than an HTTP
//! client in the measured process: on a 2-core machine the load generator would otherwise
//! take a large share of what it measures.

use std::time::Duration;

/// What `wrk --latency` reported.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkReport {
    pub requests: u64,
    pub non_2xx: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Whether `wrk` can be run.
pub fn available() -> bool {
    std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok()
}

/// A Lua script posting v2 Procore events, each with an id, a ULID and a record of its own
/// (two events of one record at one time would count as one change, and the second would
/// not be published).
pub fn script(authorization: &str, tag: &str) -> String {
    format!(
        r#"local n = 0
local next_tid = 0
function setup(thread)
  -- `tid` becomes a global of that thread's own Lua state (a file-level local would hide it).
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end
function request()
  n = n + 1
  local body = string.format('{{"id":%d,"ulid":"01WRK{tag}%02d%015d","timestamp":"2026-11-20T10:11:12.123456Z","event_type":"update","resource_name":"Projects","resource_id":%d,"company_id":8,"project_id":null,"user_id":42,"api_version":"v2.0","metadata":{{"source_user_id":42,"source_company_id":8,"source_application_id":"another-app"}}}}', tid * 100000000 + n, tid, n, 5000000 + tid * 100000000 + n)
  return wrk.format("POST", nil, {{["Authorization"] = "{authorization}", ["Content-Type"] = "application/json"}}, body)
end
"#
    )
}

/// Runs `wrk` against `url` and parses its report.
pub fn run(
    url: &str,
    connections: usize,
    seconds: u64,
    script_path: &std::path::Path,
) -> anyhow::Result<WrkReport> {
    let output = std::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--timeout",
            "5s",
            "--latency",
            "-s",
        ])
        .arg(script_path)
        .arg(url)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    parse(&text).ok_or_else(|| anyhow::anyhow!("cannot read wrk's report:\n{text}"))
}

/// Reads the parts of a `wrk --latency` report the benchmark prints.
pub fn parse(text: &str) -> Option<WrkReport> {
    let mut report = WrkReport {
        requests: 0,
        non_2xx: 0,
        errors: 0,
        seconds: 0.0,
        p50: Duration::ZERO,
        p99: Duration::ZERO,
    };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => report.p50 = duration(value)?,
            ["99%", value] => report.p99 = duration(value)?,
            [n, "requests", "in", secs, ..] => {
                report.requests = n.parse().ok()?;
                report.seconds = duration(secs.trim_end_matches(','))?.as_secs_f64();
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => report.non_2xx = n.parse().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                report.errors = rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    (report.requests > 0).then_some(report)
}

fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let micros = match unit {
        "us" => n,
        "ms" => n * 1_000.0,
        "s" => n * 1_000_000.0,
        "m" => n * 60_000_000.0,
        _ => return None,
    };
    Some(Duration::from_micros(micros as u64))
}

impl WrkReport {
    pub fn accepted_per_second(&self) -> f64 {
        (self.requests - self.non_2xx.min(self.requests)) as f64 / self.seconds.max(0.001)
    }

    /// For printing next to the built-in client's figures.
    pub fn latencies(&self) -> (Duration, Duration) {
        (self.p50, self.p99)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrk_report_is_read() {
        let text = "Running 10s test @ http://127.0.0.1:1/x\n  2 threads and 64 connections\n\
            Thread Stats   Avg      Stdev     Max   +/- Stdev\n\
            Latency     5.01ms    2.00ms  40.00ms   80.00%\n\
            Latency Distribution\n     50%    4.50ms\n     75%    6.00ms\n     90%    8.00ms\n     99%   12.25ms\n\
            120000 requests in 10.00s, 10.00MB read\n  Non-2xx or 3xx responses: 20\n\
            Requests/sec:  12000.00\nTransfer/sec:      1.00MB\n";
        let r = parse(text).unwrap();
        assert_eq!(r.requests, 120_000);
        assert_eq!(r.non_2xx, 20);
        assert_eq!(r.p50, Duration::from_micros(4_500));
        assert_eq!(r.p99, Duration::from_micros(12_250));
        assert!((r.accepted_per_second() - 11_998.0).abs() < 0.5);
        let minute = text.replace("in 10.00s", "in 1.00m");
        assert_eq!(parse(&minute).unwrap().seconds, 60.0);
    }
}
