//! What xinfang talks to outside its database: petitions' attachment files kept on disk, and
//! the senders that deliver the outbox of notices (an SMS gateway over HTTP, an SMTP relay).

pub mod files;
pub mod notify;
