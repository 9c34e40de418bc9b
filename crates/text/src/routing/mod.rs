//! Routing suggestions learned from an office's own decisions (#18): a petition's text to the
//! category or the unit that past petitions like it were given.

pub mod eval;
pub mod features;
pub mod model;
pub mod router;

pub use features::Featurizer;
pub use model::{Featurized, Model, Scored, Training};
pub use router::{Learned, Router, Suggested, Target, Why};
