//! Small pieces every layer uses: the one atomic writer, private directories and the lock; time;
//! JSON out; ARNs.

pub mod arn;
pub mod fs;
pub mod json;
pub mod time;
