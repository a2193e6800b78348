//! TEMPORARY placeholder replaced at merge.
pub fn run(_s: crate::store::Store, _f: crate::model::Filter) -> color_eyre::Result<()> {
    Ok(())
}
