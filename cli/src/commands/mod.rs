pub mod eval;
pub mod test;
