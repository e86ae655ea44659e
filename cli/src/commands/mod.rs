pub mod actions;
pub mod batch;
pub mod catalogue;
pub mod eval;
pub mod flow;
pub mod replay;
pub mod test;
pub mod validate;
