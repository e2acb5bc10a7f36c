//! Output formats, one typed list per command, checked by the argument parser.

use clap::ValueEnum;

/// Formats of `quadrant brief`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BriefFormat {
    /// Aligned text for a terminal.
    Table,
    /// The full brief as JSON.
    Json,
    /// One row per figure, with its source.
    Csv,
    /// Markdown.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML page with charts.
    Html,
}

/// Formats of `quadrant simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    /// Aligned text for a terminal.
    Table,
    /// JSON.
    Json,
    /// One row per material and subject.
    Csv,
    /// One self-contained HTML page with charts.
    Html,
    /// Apache Parquet (needs --output).
    Parquet,
}

/// Formats of `quadrant montecarlo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McFormat {
    /// Aligned text for a terminal.
    Table,
    /// JSON.
    Json,
    /// One row per material and subject.
    Csv,
    /// One self-contained HTML page with the distributions.
    Html,
    /// One row per run, material and subject (needs --output).
    Parquet,
}

/// Formats of `quadrant plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned text for a terminal.
    Table,
    /// JSON.
    Json,
    /// One row per figure.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// Formats of `quadrant chokepoints`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChokeFormat {
    /// Aligned text for a terminal.
    Table,
    /// JSON.
    Json,
    /// One row per outage.
    Csv,
    /// One self-contained HTML page with the ranking's chart.
    Html,
}

/// Formats of the commands that print one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Aligned text for a terminal.
    Table,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// The format asked for; absent, the one the output file's extension names (`-o brief.csv`
/// writes CSV), or the table for standard output, `.txt` or no extension.
pub fn pick<F: ValueEnum + Copy>(
    given: Option<F>,
    output: Option<&std::path::Path>,
    table: F,
) -> anyhow::Result<F> {
    if let Some(f) = given {
        return Ok(f);
    }
    let Some(ext) = output
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy())
    else {
        return Ok(table);
    };
    if ext.eq_ignore_ascii_case("txt") {
        return Ok(table);
    }
    F::from_str(&ext, true).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        anyhow::anyhow!(
            "--output: the extension .{ext} names no format of this command; give --format ({}) or one of those extensions",
            names.join(", ")
        )
    })
}
