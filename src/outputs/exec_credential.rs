//! An ExecCredential (Kubernetes' client-go credential plugin protocol), what `rolecall eks token`
//! prints for kubectl: `client.authentication.k8s.io/v1beta1`, or `v1` when kubectl asks for it
//! in `KUBERNETES_EXEC_INFO`.

use crate::util::json;

/// The API version to answer in: `v1` when `exec_info` (kubectl's `KUBERNETES_EXEC_INFO`) names it.
pub fn api_version(exec_info: Option<&str>) -> &'static str {
    match exec_info {
        Some(info) if info.contains("\"client.authentication.k8s.io/v1\"") => "client.authentication.k8s.io/v1",
        _ => "client.authentication.k8s.io/v1beta1",
    }
}

/// The ExecCredential JSON for `token`, expiring at `expires` (RFC 3339, as the aws CLI writes it).
pub fn json(api_version: &str, token: &str, expires: &str) -> String {
    let mut out = Vec::with_capacity(token.len() + 200);
    out.extend_from_slice(b"{\"kind\":\"ExecCredential\",\"apiVersion\":");
    json::push_str(&mut out, api_version);
    out.extend_from_slice(b",\"spec\":{},\"status\":{\"expirationTimestamp\":");
    json::push_str(&mut out, expires);
    out.extend_from_slice(b",\"token\":");
    json::push_str(&mut out, token);
    out.extend_from_slice(b"}}\n");
    String::from_utf8(out).expect("JSON is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_shape() {
        assert_eq!(api_version(None), "client.authentication.k8s.io/v1beta1");
        let v1 =
            r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#;
        assert_eq!(api_version(Some(v1)), "client.authentication.k8s.io/v1");
        let v: serde_json::Value = serde_json::from_str(&json("v", "k8s-aws-v1.x", "2026-01-01T00:00:00Z")).unwrap();
        assert_eq!(v["status"]["token"], "k8s-aws-v1.x");
        assert_eq!(v["kind"], "ExecCredential");
    }
}
