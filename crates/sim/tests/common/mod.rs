//! Helpers shared by the simulator's test binaries.

/// Scenario fields written in shipped files ahead of the parser: `announced_week` on events and
/// the observed price series (`[observed]` keys naming the product and `[[observed.point]]`
/// tables), which other work is adding to `Scenario`. Until it lands, tests parse shipped files
/// with these lines turned into comments, so that line numbers, and every other field, are
/// checked as written.
pub fn without_pending_fields(text: &str) -> String {
    const OBSERVED_KEYS: [&str; 6] = [
        "start_date",
        "product",
        "assessment",
        "stage",
        "unit",
        "region",
    ];
    let key = |line: &str| {
        line.split('=')
            .next()
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    let mut table = String::new();
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with('[') {
                table = t.split('#').next().unwrap_or_default().trim().to_string();
            }
            let pending = key(t) == "announced_week"
                || table == "[[observed.point]]"
                || (table == "[observed]" && OBSERVED_KEYS.contains(&key(t).as_str()));
            if pending && !t.starts_with('#') {
                format!("# pending: {line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
