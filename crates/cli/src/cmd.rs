use anyhow::Result;
use std::path::Path;

#[derive(clap::Args)]
pub struct BriefArgs {}
#[derive(clap::Args)]
pub struct GprArgs {}

pub fn load(data: Option<&Path>) -> Result<quadrant_model::Dataset> {
    Ok(match data {
        Some(d) => quadrant_data::load_dir(d)?,
        None => quadrant_data::load_embedded()?,
    })
}
pub fn brief(_d: Option<&Path>, _a: BriefArgs) -> Result<()> { Ok(()) }
pub fn geopolrisk(_d: Option<&Path>, _a: GprArgs) -> Result<()> { Ok(()) }
