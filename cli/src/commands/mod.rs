pub mod eval;
pub mod flow;
pub mod test;
