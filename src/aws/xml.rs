//! The little XML rolecall reads itself (IAM's Query answers, STS and IAM error bodies): element
//! text by name, entities unescaped. The answers are flat and machine-written; no parser needed.

/// The text of every `<name>…</name>` in `body`, in order, trimmed and unescaped.
pub fn all(body: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(unescape(after[..end].trim()));
        rest = &after[end + close.len()..];
    }
    out
}

/// The text of the first `<name>…</name>`.
pub fn first(body: &str, name: &str) -> Option<String> {
    all(body, name).into_iter().next()
}

/// The five predefined entities.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn elements() {
        let body = "<a><Id>AKIA1</Id><Id> AKIA2 </Id><M>a &amp; &lt;b&gt;</M></a>";
        assert_eq!(super::all(body, "Id"), ["AKIA1", "AKIA2"]);
        assert_eq!(super::first(body, "M").as_deref(), Some("a & <b>"));
        assert_eq!(super::first(body, "X"), None);
        assert_eq!(super::first("<Id>open", "Id"), None);
        // IAM's ListAccessKeys: one member each.
        let keys = "<R><member><AccessKeyId>AKIA1</AccessKeyId><Status>Active</Status></member>\
                    <member><AccessKeyId> AKIA2 </AccessKeyId><Status>Inactive</Status></member></R>";
        assert_eq!(super::all(keys, "AccessKeyId"), ["AKIA1", "AKIA2"]);
        assert_eq!(super::all(keys, "Status"), ["Active", "Inactive"]);
        assert!(super::all("<a>", "a").is_empty());
    }
}
