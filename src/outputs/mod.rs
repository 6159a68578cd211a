//! Credentials out, each a pure function of credentials and options that returns the text (the
//! command writes it where it goes): shell code per shell ([`shell`], quoted by [`quote`]),
//! `rolecall export`'s env/dotenv/json/ini ([`export`]), credential_process JSON ([`process`]),
//! the credential server's answer ([`container`]) and the console's sign-in URL ([`console`]).
//! A new consumer (a Kubernetes ExecCredential) is one new file here.

pub mod console;
pub mod container;
pub mod exec_credential;
pub mod export;
pub mod process;
pub mod quote;
pub mod shell;
