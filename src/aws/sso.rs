//! IAM Identity Center (SSO): the token cache the AWS CLI shares (`~/.aws/sso/cache/<sha1>.json`,
//! names per shared/conformance/cli-cache-key-vectors.json), role credentials from the portal
//! (GetRoleCredentials), the token's refresh (OIDC CreateToken with the refresh token) and the
//! device-authorization login (RegisterClient, StartDeviceAuthorization, CreateToken polled).
//! These are plain JSON calls with a bearer token, made through [`crate::aws::http`].

use crate::aws::http::{Http, Reply};
use crate::types::Credentials;
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// The sign-in a profile uses: an `[sso-session]` or the legacy `sso_start_url` keys.
#[derive(Clone, Debug)]
pub struct Login<'a> {
    pub session: Option<&'a str>,
    pub start_url: &'a str,
    pub region: &'a str,
    /// `sso_registration_scopes` (comma-separated), for a new login.
    pub scopes: Option<&'a str>,
    /// Where the portal (GetRoleCredentials, ListAccounts) and OIDC (the login and refresh) are,
    /// resolved for the region (`crate::aws::endpoint`).
    pub portal: crate::aws::endpoint::Endpoint,
    pub oidc: crate::aws::endpoint::Endpoint,
    /// The token cache the AWS CLI shares (`~/.aws/sso/cache`); none without a home.
    pub token_dir: Option<PathBuf>,
}

/// There is no usable token: the person has to sign in (`rolecall login`).
#[derive(Debug)]
pub struct NeedsLogin {
    pub what: String,
    pub why: &'static str,
}

impl std::fmt::Display for NeedsLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} for {}: run 'rolecall login'", self.why, self.what)
    }
}

impl std::error::Error for NeedsLogin {}

impl<'a> Login<'a> {
    /// A login known by its names only (for cache keys: no region, no endpoints).
    pub fn named(session: Option<&'a str>, start_url: &'a str) -> Login<'a> {
        Login {
            session,
            start_url,
            region: "",
            scopes: None,
            portal: Default::default(),
            oidc: Default::default(),
            token_dir: None,
        }
    }

    /// How messages name it: `sso-session corp` or the start URL.
    pub fn describe(&self) -> String {
        match self.session {
            Some(name) => format!("sso-session `{name}`"),
            None => self.start_url.to_owned(),
        }
    }

    /// The token cache file's name: sha1 of the session name, else of the start URL.
    pub fn cache_key(&self) -> String {
        sha1_smol::Sha1::from(self.session.unwrap_or(self.start_url)).digest().to_string()
    }

    fn needs_login(&self, why: &'static str) -> anyhow::Error {
        anyhow!(NeedsLogin { what: self.describe(), why })
    }
}

/// The key botocore caches SSO role credentials under (`~/.aws/cli/cache`): sha1 of the compact,
/// key-sorted JSON of accountId, roleName and sessionName (or startUrl).
pub fn role_cache_key(login: &Login, account_id: &str, role_name: &str) -> String {
    let (name, value) = match login.session {
        Some(session) => ("sessionName", session),
        None => ("startUrl", login.start_url),
    };
    let q = crate::util::json::python_str;
    let text = format!("{{\"accountId\":{},\"roleName\":{},\"{name}\":{}}}", q(account_id), q(role_name), q(value));
    sha1_smol::Sha1::from(text).digest().to_string()
}

/// A cached token, kept as the JSON it was read as (fields rolecall does not know are kept).
#[derive(Clone, Debug)]
pub struct Token(pub Value);

impl Token {
    fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    pub fn access_token(&self) -> Option<&str> {
        self.str("accessToken")
    }

    pub fn expires_at(&self) -> Option<i64> {
        self.str("expiresAt").and_then(crate::util::time::parse_rfc3339)
    }

    /// Whether it can be refreshed: a refresh token and a client registration still valid.
    fn refreshable(&self, now: i64) -> bool {
        let registration = self.str("registrationExpiresAt").and_then(crate::util::time::parse_rfc3339);
        self.str("refreshToken").is_some()
            && self.str("clientId").is_some()
            && self.str("clientSecret").is_some()
            && registration.is_none_or(|t| t > now)
    }
}

/// The token for `login`, if one is cached (a damaged file counts as none).
pub fn load(login: &Login) -> Option<Token> {
    let path = login.token_dir.as_ref()?.join(format!("{}.json", login.cache_key()));
    let text = std::fs::read_to_string(path).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    let token = Token(value);
    token.access_token()?;
    Some(token)
}

/// Write the token where the AWS CLI reads it (0600 in a 0700 directory, atomically).
pub fn store(login: &Login, token: &Token) -> Result<PathBuf> {
    let dir = login.token_dir.clone().context("cannot find the SSO token cache: HOME is not set")?;
    crate::util::fs::ensure_private_dir(&dir)?;
    let path = dir.join(format!("{}.json", login.cache_key()));
    let text = serde_json::to_string_pretty(&token.0).context("cannot write the token")?;
    crate::util::fs::write_private(&path, text.as_bytes())?;
    Ok(path)
}

/// An error body's message (`{"message": …}` or OAuth's `error_description`).
fn message(reply: &Reply, endpoint: &crate::aws::endpoint::Endpoint) -> String {
    let v: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let said = text("message")
        .or_else(|| text("Message"))
        .or_else(|| text("error_description"))
        .or_else(|| text("error"))
        .unwrap_or_else(|| format!("HTTP {}", reply.status));
    format!("{said}{}", endpoint.said())
}

/// GetRoleCredentials: the role's temporary credentials for a valid token.
pub async fn role_credentials(
    http: &Http,
    login: &Login<'_>,
    token: &str,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials> {
    let url = format!(
        "{}/federation/credentials?role_name={}&account_id={}",
        login.portal.url,
        crate::util::text::percent(role_name),
        crate::util::text::percent(account_id)
    );
    let host = crate::aws::http::host(&url).to_owned();
    let headers = [("x-amz-sso_bearer_token", token), ("host", host.as_str())];
    let reply = http.send("SSO GetRoleCredentials", "GET", &url, &headers, Vec::new()).await?;
    match reply.status {
        200 => {}
        401 => return Err(login.needs_login("the SSO token was refused (expired or signed out)")),
        403 => bail!("SSO: no access to role {role_name} in account {account_id}: {}", message(&reply, &login.portal)),
        _ => bail!("SSO GetRoleCredentials ({role_name} in {account_id}): {}", message(&reply, &login.portal)),
    }
    let v: Value = serde_json::from_str(&reply.body).context("SSO GetRoleCredentials: the answer is not JSON")?;
    let c = &v["roleCredentials"];
    let field = |k: &str| {
        c[k].as_str().map(str::to_owned).ok_or_else(|| anyhow!("SSO GetRoleCredentials: no {k} in the answer"))
    };
    let expiration = c["expiration"].as_i64().ok_or_else(|| anyhow!("SSO GetRoleCredentials: no expiration"))?;
    Credentials {
        access_key_id: field("accessKeyId")?,
        secret_access_key: field("secretAccessKey")?,
        session_token: Some(field("sessionToken")?),
        expires_at: Some(expiration / 1000),
        account_id: Some(account_id.to_owned()),
    }
    .checked("SSO GetRoleCredentials")
}

/// An account the signed-in person can reach, and their roles in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub account_id: String,
    pub account_name: String,
    pub roles: Vec<String>,
}

/// GET a portal path with the bearer token, following `nextToken` pages; each page's JSON.
async fn portal_pages(http: &Http, login: &Login<'_>, token: &str, what: &str, path: &str) -> Result<Vec<Value>> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut url = format!("{}{path}", login.portal.url);
        if let Some(t) = &next {
            url.push_str(&format!("&next_token={}", crate::util::text::percent(t)));
        }
        let host = crate::aws::http::host(&url).to_owned();
        let headers = [("x-amz-sso_bearer_token", token), ("host", host.as_str())];
        let reply = http.send(what, "GET", &url, &headers, Vec::new()).await?;
        match reply.status {
            200 => {}
            401 => return Err(login.needs_login("the SSO token was refused (expired or signed out)")),
            _ => bail!("{what}: {}", message(&reply, &login.portal)),
        }
        let page: Value =
            serde_json::from_str(&reply.body).with_context(|| format!("{what}: the answer is not JSON"))?;
        next = page["nextToken"].as_str().filter(|t| !t.is_empty()).map(str::to_owned);
        pages.push(page);
        if next.is_none() {
            return Ok(pages);
        }
    }
}

/// ListAccounts, then ListAccountRoles for each: every account and role the login reaches.
pub async fn assignments(http: &Http, login: &Login<'_>, token: &str) -> Result<Vec<Assignment>> {
    let mut out = Vec::new();
    for page in portal_pages(http, login, token, "SSO ListAccounts", "/assignment/accounts?max_result=100").await? {
        for account in page["accountList"].as_array().into_iter().flatten() {
            let id = account["accountId"].as_str().unwrap_or_default().to_owned();
            let name = account["accountName"].as_str().unwrap_or(&id).to_owned();
            out.push(Assignment { account_id: id, account_name: name, roles: Vec::new() });
        }
    }
    for assignment in &mut out {
        let path = format!(
            "/assignment/roles?account_id={}&max_result=100",
            crate::util::text::percent(&assignment.account_id)
        );
        for page in portal_pages(http, login, token, "SSO ListAccountRoles", &path).await? {
            for role in page["roleList"].as_array().into_iter().flatten() {
                if let Some(name) = role["roleName"].as_str() {
                    assignment.roles.push(name.to_owned());
                }
            }
        }
    }
    Ok(out)
}

/// POST a JSON body to an OIDC path.
async fn oidc(http: &Http, login: &Login<'_>, what: &str, path: &str, body: Value) -> Result<Reply> {
    let url = format!("{}{path}", login.oidc.url);
    let host = crate::aws::http::host(&url).to_owned();
    let headers = [("content-type", "application/json"), ("host", host.as_str())];
    http.send(what, "POST", &url, &headers, body.to_string().into_bytes()).await
}

/// The token with a new access token from a CreateToken answer.
fn with_access(mut token: Token, answer: &Value, now: i64) -> Result<Token> {
    let access = answer["accessToken"].as_str().ok_or_else(|| anyhow!("SSO OIDC CreateToken: no accessToken"))?;
    let expires_in = answer["expiresIn"].as_i64().unwrap_or(3600);
    let obj = token.0.as_object_mut().context("the token cache entry is not a JSON object")?;
    obj.insert("accessToken".into(), json!(access));
    obj.insert("expiresAt".into(), json!(crate::util::time::format_rfc3339(now + expires_in)));
    if let Some(refresh) = answer["refreshToken"].as_str() {
        obj.insert("refreshToken".into(), json!(refresh));
    }
    Ok(token)
}

/// A valid access token for `login`: the cached one, refreshed first when it is about to expire.
pub async fn access_token(cfg: &crate::config::Config, http: &Http, login: &Login<'_>) -> Result<String> {
    let token = load(login).ok_or_else(|| login.needs_login("no SSO login"))?;
    let cached = token.access_token().expect("checked on load").to_owned();
    let now = cfg.now();
    let expires = token.expires_at().unwrap_or(0);
    // The SDKs refresh an SSO token within 15 minutes of its expiry.
    let fresh = |t: &Token| t.expires_at().unwrap_or(0) - now > REFRESH_WINDOW_SECS.max(cfg.refresh_before());
    if fresh(&token) {
        return Ok(cached);
    }
    if token.refreshable(now) {
        // The refresh token may rotate: one refresh at a time per login (rolecall's processes),
        // the token read again under the lock (another one may have refreshed it meanwhile).
        let _lock = refresh_lock(cfg, login);
        let token = load(login).unwrap_or(token);
        if fresh(&token) {
            return Ok(token.access_token().expect("checked on load").to_owned());
        }
        let body = json!({
            "clientId": token.str("clientId"),
            "clientSecret": token.str("clientSecret"),
            "grantType": "refresh_token",
            "refreshToken": token.str("refreshToken"),
        });
        // A refused refresh is not an error while the token still has a few minutes.
        match oidc(http, login, "SSO OIDC CreateToken", "/token", body).await {
            Ok(reply) if reply.status == 200 => {
                let answer: Value = serde_json::from_str(&reply.body).context("SSO OIDC CreateToken: not JSON")?;
                let fresh = with_access(token, &answer, now)?;
                store(login, &fresh)?;
                return Ok(fresh.access_token().expect("just set").to_owned());
            }
            // The session the administrator configured is over (or the token was revoked).
            Ok(reply)
                if expires <= now && (reply.body.contains("InvalidGrant") || reply_is(&reply, "invalid_grant")) =>
            {
                return Err(login.needs_login("the SSO session is over (the refresh token was refused)"));
            }
            _ => {}
        }
    }
    if expires > now {
        return Ok(cached);
    }
    Err(login.needs_login("the SSO login has expired"))
}

/// The lock of `login`'s token refresh, in rolecall's cache directory (waiting at most the lock
/// wait); none when it cannot be had (the refresh goes on, as the aws CLI's does, unlocked).
fn refresh_lock(cfg: &crate::config::Config, login: &Login) -> Option<crate::util::fs::Lock> {
    let dir = cfg.cache_dir()?;
    crate::util::fs::ensure_private_dir(&dir).ok()?;
    let path = dir.join(format!("sso-{}.lock", login.cache_key()));
    crate::util::fs::lock(&path, crate::util::fs::Wait::Bounded(cfg.lock_wait(), &|_| {})).ok().flatten()
}

/// Refresh an SSO access token within this much of its expiry (the SDKs' window).
pub const REFRESH_WINDOW_SECS: i64 = 900;

/// Whether an OAuth error answer carries `error` = `code`.
fn reply_is(reply: &Reply, code: &str) -> bool {
    serde_json::from_str::<Value>(&reply.body).is_ok_and(|v| v["error"].as_str() == Some(code))
}

/// The grant a client registration is made for: a registration is reused only for its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    DeviceCode,
    AuthorizationCode,
}

impl Grant {
    fn name(self) -> &'static str {
        match self {
            Grant::DeviceCode => "device_code",
            Grant::AuthorizationCode => "authorization_code",
        }
    }
}

/// A client registration (RegisterClient), as the token cache keeps it.
#[derive(Clone)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: i64,
    pub grant: Grant,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Registration({}, {:?}, until {})", self.client_id, self.grant, self.expires_at)
    }
}

/// The redirect a PKCE registration names (RFC 8252: any port of the loopback address).
pub const REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

/// The registration to sign in with for `grant`: the cached one (in the token cache entry) while
/// it is valid and was made for this grant, else a new one (RegisterClient).
pub async fn registration(http: &Http, login: &Login<'_>, grant: Grant, now: i64) -> Result<Registration> {
    if let Some(token) = load_any(login) {
        let made_for = token.str("registrationGrant").unwrap_or("device_code");
        let expires = token.str("registrationExpiresAt").and_then(crate::util::time::parse_rfc3339).unwrap_or(0);
        if let (Some(id), Some(secret)) = (token.str("clientId"), token.str("clientSecret"))
            && made_for == grant.name()
            && expires - now > 3600
        {
            return Ok(Registration {
                client_id: id.to_owned(),
                client_secret: secret.to_owned(),
                expires_at: expires,
                grant,
            });
        }
    }
    let scopes: Vec<&str> =
        login.scopes.map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let mut register = json!({"clientName": "rolecall", "clientType": "public"});
    if grant == Grant::AuthorizationCode {
        let scopes = if scopes.is_empty() { vec!["sso:account:access"] } else { scopes.clone() };
        register["scopes"] = json!(scopes);
        register["grantTypes"] = json!(["authorization_code", "refresh_token"]);
        register["redirectUris"] = json!([REDIRECT_URI]);
        register["issuerUrl"] = json!(login.start_url);
    } else if !scopes.is_empty() {
        register["scopes"] = json!(scopes);
    }
    let reply = oidc(http, login, "SSO OIDC RegisterClient", "/client/register", register).await?;
    if reply.status != 200 {
        bail!("SSO OIDC RegisterClient: {}", message(&reply, &login.oidc));
    }
    let client: Value = serde_json::from_str(&reply.body).context("SSO OIDC RegisterClient: not JSON")?;
    Ok(Registration {
        client_id: client["clientId"].as_str().context("SSO OIDC RegisterClient: no clientId")?.to_owned(),
        client_secret: client["clientSecret"].as_str().context("SSO OIDC RegisterClient: no clientSecret")?.to_owned(),
        expires_at: client["clientSecretExpiresAt"].as_i64().unwrap_or(now + 90 * 86400),
        grant,
    })
}

/// The cached token entry, even one whose access token is gone or expired (for its registration).
fn load_any(login: &Login) -> Option<Token> {
    let path = login.token_dir.as_ref()?.join(format!("{}.json", login.cache_key()));
    let value: Value = serde_json::from_slice(&crate::util::fs::read_private(&path).ok()?).ok()?;
    value.is_object().then_some(Token(value))
}

/// The authorization page of a PKCE sign-in (the parameter is `scopes`, as the aws CLI sends it).
pub fn authorize_url(login: &Login, reg: &Registration, redirect_uri: &str, state: &str, challenge: &str) -> String {
    let q = crate::util::text::percent;
    let scopes = login.scopes.map(|s| s.split(',').map(str::trim).collect::<Vec<_>>().join(" "));
    let scopes = scopes.filter(|s| !s.is_empty()).unwrap_or_else(|| "sso:account:access".to_owned());
    format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}&code_challenge={}",
        login.oidc.url,
        q(&reg.client_id),
        q(redirect_uri),
        q(state),
        q(&scopes),
        q(challenge)
    )
}

/// Redeem a PKCE sign-in's code (CreateToken, `authorization_code`) and store the token (with
/// its refresh token and the registration) where the aws CLI reads it.
pub async fn redeem_code(
    http: &Http,
    login: &Login<'_>,
    reg: &Registration,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<PathBuf> {
    let body = json!({
        "clientId": reg.client_id,
        "clientSecret": reg.client_secret,
        "grantType": "authorization_code",
        "code": code,
        "codeVerifier": verifier,
        "redirectUri": redirect_uri,
    });
    let reply = oidc(http, login, "SSO OIDC CreateToken", "/token", body).await?;
    if reply.status != 200 {
        bail!("SSO OIDC CreateToken: {}", message(&reply, &login.oidc));
    }
    let answer: Value = serde_json::from_str(&reply.body).context("SSO OIDC CreateToken: not JSON")?;
    store(login, &with_access(Token(registered(login, reg)), &answer, now)?)
}

/// A token entry's fields that name the login and its registration.
fn registered(login: &Login, reg: &Registration) -> Value {
    json!({
        "startUrl": login.start_url,
        "region": login.region,
        "clientId": reg.client_id,
        "clientSecret": reg.client_secret,
        "registrationExpiresAt": crate::util::time::format_rfc3339(reg.expires_at),
        "registrationGrant": reg.grant.name(),
    })
}

/// What the device flow shows the person.
pub struct Prompt {
    pub url: String,
    pub url_complete: Option<String>,
    pub user_code: String,
}

/// The device-authorization login: register a client, start the authorization, show the URL and
/// code (`show`), poll CreateToken until the person approved it in a browser, and store the token
/// where the AWS CLI looks. `tick` is called at each poll (progress).
pub async fn login(
    http: &Http,
    login: &Login<'_>,
    show: impl FnOnce(&Prompt),
    mut tick: impl FnMut(),
) -> Result<PathBuf> {
    let now = crate::util::time::now();
    let reg = registration(http, login, Grant::DeviceCode, now).await?;
    let (client_id, client_secret) = (reg.client_id.clone(), reg.client_secret.clone());
    let start = json!({"clientId": client_id, "clientSecret": client_secret, "startUrl": login.start_url});
    let reply = oidc(http, login, "SSO OIDC StartDeviceAuthorization", "/device_authorization", start).await?;
    if reply.status != 200 {
        bail!("SSO OIDC StartDeviceAuthorization ({}): {}", login.start_url, message(&reply, &login.oidc));
    }
    let device: Value = serde_json::from_str(&reply.body).context("SSO OIDC StartDeviceAuthorization: not JSON")?;
    let device_code = device["deviceCode"].as_str().context("no deviceCode")?.to_owned();
    show(&Prompt {
        url: device["verificationUri"].as_str().unwrap_or_default().to_owned(),
        url_complete: device["verificationUriComplete"].as_str().map(str::to_owned),
        user_code: device["userCode"].as_str().unwrap_or_default().to_owned(),
    });
    let deadline = now + device["expiresIn"].as_i64().unwrap_or(600);
    let mut interval = device["interval"].as_u64().unwrap_or(5);
    let poll = json!({
        "clientId": client_id,
        "clientSecret": client_secret,
        "grantType": "urn:ietf:params:oauth:grant-type:device_code",
        "deviceCode": device_code,
    });
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        tick();
        let reply = oidc(http, login, "SSO OIDC CreateToken", "/token", poll.clone()).await?;
        if reply.status == 200 {
            let answer: Value = serde_json::from_str(&reply.body).context("SSO OIDC CreateToken: not JSON")?;
            let now = crate::util::time::now();
            let token = with_access(Token(registered(login, &reg)), &answer, now)?;
            return store(login, &token);
        }
        let v: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
        match v["error"].as_str().unwrap_or_default() {
            "authorization_pending" => {}
            "slow_down" => interval += 5,
            "expired_token" => bail!("the sign-in code expired before it was approved: run 'rolecall login' again"),
            "access_denied" => bail!("the sign-in was denied in the browser"),
            _ => bail!("SSO OIDC CreateToken: {}", message(&reply, &login.oidc)),
        }
        if crate::util::time::now() > deadline {
            bail!("the sign-in code expired before it was approved: run 'rolecall login' again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_match_the_vectors() {
        let session = Login::named(Some("dev"), "x");
        assert_eq!(session.cache_key(), "34c6fceca75e456f25e7e99531e2425c6c1de443");
        assert_eq!(role_cache_key(&session, "012345678901", "SampleRole"), "4f0072b03f86a95e613340c2868ab49e9cc60d6e");
        let legacy = Login::named(None, "https://ssotest.awsapps.com/start");
        assert_eq!(legacy.cache_key(), "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12");
        assert_eq!(crate::util::text::percent("a b/é"), "a%20b%2F%C3%A9");
    }
}
