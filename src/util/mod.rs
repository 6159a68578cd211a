//! Small pieces every layer uses: the one atomic writer, private directories and the lock; time;
//! JSON out; ARNs; text for people (escaping, did-you-mean).

pub mod arn;
pub mod fs;
pub mod json;
pub mod random;
pub mod text;
pub mod time;
