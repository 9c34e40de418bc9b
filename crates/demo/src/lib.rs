//! The demo city of 清河市: a four-level unit tree, about sixty officers, and any number of cases
//! with full, lawful histories over the past year. Reproducible: the same seed gives the same city.

pub mod city;
pub mod content;
pub mod generate;

pub use city::{DEMO_PASSWORD, DemoCity, build_city};
pub use generate::{GenerateReport, generate_cases, generate_cases_with};

/// Builds the city and `cases` cases in an empty store.
pub async fn load(
    store: &xinfang_store::Store,
    cases: u64,
    seed: u64,
) -> Result<(DemoCity, GenerateReport), xinfang_store::StoreError> {
    load_with(store, cases, seed, |_| {}).await
}

/// [`load`], telling `progress` how many cases are written as they are.
pub async fn load_with(
    store: &xinfang_store::Store,
    cases: u64,
    seed: u64,
    progress: impl Fn(u64),
) -> Result<(DemoCity, GenerateReport), xinfang_store::StoreError> {
    let city = build_city(store).await?;
    let report = generate_cases_with(store, &city, cases, seed, progress).await?;
    Ok((city, report))
}
