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
    /// One row per run, material and subject (needs --output).
    Parquet,
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
