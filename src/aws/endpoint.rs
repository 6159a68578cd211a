//! AWS partitions and the one endpoint resolver for every service rolecall calls without an SDK
//! client (IAM, the SSO portal, OIDC, the console's sign-in), after the SDKs' endpoint rules:
//! a configured URL first (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
//! `[services]` section, its `endpoint_url`), else the partition's host for the region, with
//! FIPS and dual-stack where the service has them. The partition table is the SDKs'
//! `partitions.json` (version 1.1).

use anyhow::{Result, bail};

/// One partition: where its regions are and what its hosts end in.
#[derive(Debug, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    /// The regions' first parts (`us`, `us-gov`, …) before `-NAME-N`.
    prefixes: &'static [&'static str],
    pub dns_suffix: &'static str,
    pub dual_stack_dns_suffix: &'static str,
    /// Where global services (IAM) are signed for.
    pub global_region: &'static str,
}

pub const PARTITIONS: &[Partition] = &[
    Partition {
        name: "aws",
        prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        global_region: "us-east-1",
    },
    Partition {
        name: "aws-cn",
        prefixes: &["cn"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        global_region: "cn-northwest-1",
    },
    Partition {
        name: "aws-eusc",
        prefixes: &["eusc-de"],
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
        global_region: "eusc-de-east-1",
    },
    Partition {
        name: "aws-iso",
        prefixes: &["us-iso"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
        global_region: "us-iso-east-1",
    },
    Partition {
        name: "aws-iso-b",
        prefixes: &["us-isob"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
        global_region: "us-isob-east-1",
    },
    Partition {
        name: "aws-iso-e",
        prefixes: &["eu-isoe"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        global_region: "eu-isoe-west-1",
    },
    Partition {
        name: "aws-iso-f",
        prefixes: &["us-isof"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        global_region: "us-isof-south-1",
    },
    Partition {
        name: "aws-us-gov",
        prefixes: &["us-gov"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        global_region: "us-gov-west-1",
    },
];

impl Partition {
    /// The partition whose pattern (`^PREFIX-\w+-\d+$`) the region matches, if one does.
    pub fn of_region(region: &str) -> Option<&'static Partition> {
        let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        PARTITIONS.iter().find(|p| {
            p.prefixes.iter().any(|prefix| {
                let Some(rest) = region.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else { return false };
                let Some((name, number)) = rest.rsplit_once('-') else { return false };
                word(name) && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
            })
        })
    }

    /// As the SDKs resolve it: a region no pattern matches is taken as `aws`.
    pub fn for_region(region: &str) -> &'static Partition {
        Partition::of_region(region).unwrap_or(&PARTITIONS[0])
    }

    pub fn named(name: &str) -> Option<&'static Partition> {
        PARTITIONS.iter().find(|p| p.name == name)
    }
}

/// The services rolecall resolves itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Iam,
    SsoPortal,
    SsoOidc,
    /// The console's federation endpoint (`/federation`).
    Signin,
    /// AWS Sign-In's OAuth endpoints for console credentials (`/v1/token`); the same settings
    /// name it as [`Service::Signin`] (`AWS_ENDPOINT_URL_SIGNIN`).
    SigninOauth,
    /// EKS's control plane (`DescribeCluster` for `eks kubeconfig`).
    Eks,
}

impl Service {
    /// The SDKs' service id as environment variables spell it (`AWS_ENDPOINT_URL_<ID>`).
    pub fn env_id(self) -> &'static str {
        match self {
            Service::Iam => "IAM",
            Service::SsoPortal => "SSO",
            Service::SsoOidc => "SSO_OIDC",
            Service::Signin | Service::SigninOauth => "SIGNIN",
            Service::Eks => "EKS",
        }
    }

    /// The key of the service in a `[services]` section.
    pub fn config_key(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::SsoPortal => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Signin | Service::SigninOauth => "signin",
            Service::Eks => "eks",
        }
    }
}

/// Where a request goes and the region it is signed for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub signing_region: String,
    /// Which setting named the URL (`AWS_ENDPOINT_URL`, `[services dev] sso =` …); none for
    /// the service's own host.
    pub from: Option<String>,
}

impl Endpoint {
    /// An endpoint at `url` (a test's, or one from elsewhere).
    pub fn at(url: impl Into<String>) -> Endpoint {
        Endpoint { url: url.into(), ..Endpoint::default() }
    }

    /// For an error about the endpoint: where its URL came from, when a setting named it
    /// (` (the endpoint is from AWS_ENDPOINT_URL)`), else nothing.
    pub fn said(&self) -> String {
        self.from.as_ref().map(|f| format!(" (the endpoint is from {f})")).unwrap_or_default()
    }
}

/// A URL the settings name for a service, and which setting.
#[derive(Clone, Debug, Default)]
pub struct Configured {
    pub url: String,
    pub from: String,
}

/// What decides an endpoint: the region, FIPS and dual-stack, and a URL the settings name.
#[derive(Clone, Debug, Default)]
pub struct Params<'a> {
    pub region: &'a str,
    pub fips: bool,
    pub dual_stack: bool,
    /// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, `[services]` or `endpoint_url`.
    pub configured: Option<Configured>,
}

/// The endpoint of `service` for `params`, after the service's endpoint rules.
pub fn resolve(service: Service, params: &Params) -> Result<Endpoint> {
    if let Some(configured) = &params.configured {
        let url = configured.url.trim_end_matches('/').to_owned();
        let signing_region = match service {
            Service::Iam => Partition::for_region(params.region).global_region.to_owned(),
            _ => params.region.to_owned(),
        };
        return Ok(Endpoint { url, signing_region, from: Some(configured.from.clone()) });
    }
    let region = params.region;
    if region.is_empty() {
        bail!("no region for {}: set one (AWS_REGION or the profile's region)", service.config_key());
    }
    let p = Partition::for_region(region);
    let suffix = if params.dual_stack { p.dual_stack_dns_suffix } else { p.dns_suffix };
    let gov = p.name == "aws-us-gov";
    let url = match service {
        Service::Iam => {
            let host = match (p.name, params.fips, params.dual_stack) {
                ("aws", false, false) => "iam.amazonaws.com".to_owned(),
                ("aws", true, false) => "iam-fips.amazonaws.com".to_owned(),
                ("aws", false, true) => "iam.global.api.aws".to_owned(),
                ("aws", true, true) => "iam-fips.global.api.aws".to_owned(),
                ("aws-cn", _, false) => "iam.cn-north-1.amazonaws.com.cn".to_owned(),
                ("aws-cn", _, true) => "iam.global.api.amazonwebservices.com.cn".to_owned(),
                ("aws-us-gov", _, false) => "iam.us-gov.amazonaws.com".to_owned(),
                ("aws-us-gov", _, true) => "iam.us-gov.api.aws".to_owned(),
                (_, fips, _) => format!("iam{}.{}.{suffix}", if fips { "-fips" } else { "" }, p.global_region),
            };
            let signing_region = if p.name == "aws-cn" { "cn-north-1" } else { p.global_region };
            return Ok(Endpoint {
                url: format!("https://{host}"),
                signing_region: signing_region.to_owned(),
                from: None,
            });
        }
        // GovCloud's hosts are FIPS already.
        Service::SsoPortal if params.fips && !gov => format!("https://portal.sso-fips.{region}.{suffix}"),
        Service::SsoPortal => format!("https://portal.sso.{region}.{suffix}"),
        Service::SsoOidc if params.fips && !gov => format!("https://oidc-fips.{region}.{suffix}"),
        Service::SsoOidc => format!("https://oidc.{region}.{suffix}"),
        Service::Signin => signin_url(region)?,
        Service::SigninOauth => login_url(region)?,
        Service::Eks if params.fips => format!("https://fips.eks.{region}.{suffix}"),
        Service::Eks => format!("https://eks.{region}.{suffix}"),
    };
    Ok(Endpoint { url, signing_region: region.to_owned(), from: None })
}

/// The console's federation endpoint for a region: regional hosts in `aws`, one host in each
/// other partition that has a console; an unknown partition is an error, never a wrong host.
pub fn signin_url(region: &str) -> Result<String> {
    let Some(p) = Partition::of_region(region) else {
        bail!(
            "region `{}` is in no AWS partition rolecall knows: no sign-in host for it",
            crate::util::text::printable(region)
        );
    };
    Ok(match p.name {
        "aws" => format!("https://{region}.signin.aws.amazon.com"),
        "aws-cn" => "https://signin.amazonaws.cn".to_owned(),
        "aws-us-gov" => "https://signin.amazonaws-us-gov.com".to_owned(),
        "aws-eusc" => "https://signin.amazonaws-eusc.eu".to_owned(),
        other => bail!("the {other} partition has no console sign-in that rolecall knows"),
    })
}

/// AWS Sign-In's OAuth host for console credentials (`aws login`) in a region: regional in every
/// partition that has it (the SDKs' endpoint rules for CreateOAuth2Token).
pub fn login_url(region: &str) -> Result<String> {
    let Some(p) = Partition::of_region(region) else {
        bail!(
            "region `{}` is in no AWS partition rolecall knows: no sign-in host for it",
            crate::util::text::printable(region)
        );
    };
    let domain = match p.name {
        "aws" => "signin.aws.amazon.com",
        "aws-cn" => "signin.amazonaws.cn",
        "aws-us-gov" => "signin.amazonaws-us-gov.com",
        "aws-eusc" => "signin.amazonaws-eusc.eu",
        other => bail!("the {other} partition has no console sign-in that rolecall knows"),
    };
    Ok(format!("https://{region}.{domain}"))
}

/// Regions that exist, for a did-you-mean on a region that matches none of their patterns.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// A warning for a region that no partition's pattern matches (`eu-west1`), with the closest
/// known region; `None` for one that looks right.
pub fn region_warning(region: &str) -> Option<String> {
    if Partition::of_region(region).is_some() {
        return None;
    }
    let hint = crate::util::text::did_you_mean(region, KNOWN_REGIONS.iter().copied())
        .map(|r| format!(": did you mean `{r}`?"))
        .unwrap_or_default();
    Some(format!("region `{}` matches no AWS region's pattern{hint}", crate::util::text::printable(region)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_to_partitions() {
        for (region, name) in [
            ("us-east-1", "aws"),
            ("eu-west-1", "aws"),
            ("mx-central-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("eusc-de-east-1", "aws-eusc"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"),
        ] {
            assert_eq!(Partition::of_region(region).map(|p| p.name), Some(name), "{region}");
        }
        for bad in ["eu-west1", "", "us-east-", "xx-east-1", "us-gov-west", "eusc-fr-east-1", "us-east-1a"] {
            assert_eq!(Partition::of_region(bad), None, "{bad}");
        }
        assert_eq!(Partition::for_region("nowhere").name, "aws");
    }

    #[test]
    fn hosts_by_partition() {
        let at = |service, region, fips, dual_stack| {
            resolve(service, &Params { region, fips, dual_stack, configured: None }).unwrap()
        };
        let iam = at(Service::Iam, "eu-west-1", false, false);
        assert_eq!((iam.url.as_str(), iam.signing_region.as_str()), ("https://iam.amazonaws.com", "us-east-1"));
        assert_eq!(at(Service::Iam, "eu-west-1", true, false).url, "https://iam-fips.amazonaws.com");
        let cn = at(Service::Iam, "cn-northwest-1", false, false);
        assert_eq!(
            (cn.url.as_str(), cn.signing_region.as_str()),
            ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
        );
        let gov = at(Service::Iam, "us-gov-east-1", false, false);
        assert_eq!(
            (gov.url.as_str(), gov.signing_region.as_str()),
            ("https://iam.us-gov.amazonaws.com", "us-gov-west-1")
        );
        assert_eq!(at(Service::SsoPortal, "eu-west-1", false, false).url, "https://portal.sso.eu-west-1.amazonaws.com");
        assert_eq!(
            at(Service::SsoPortal, "cn-north-1", false, false).url,
            "https://portal.sso.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            at(Service::SsoPortal, "us-east-1", true, false).url,
            "https://portal.sso-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            at(Service::SsoPortal, "us-gov-west-1", true, false).url,
            "https://portal.sso.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(at(Service::SsoOidc, "us-east-1", false, true).url, "https://oidc.us-east-1.api.aws");
        assert_eq!(at(Service::SsoOidc, "eu-west-1", true, false).url, "https://oidc-fips.eu-west-1.amazonaws.com");
        // The Identity Center hosts of the other partitions, as botocore's endpoint rules give them.
        for (service, region, fips, url) in [
            (Service::SsoOidc, "eusc-de-east-1", false, "https://oidc.eusc-de-east-1.amazonaws.eu"),
            (Service::SsoPortal, "eusc-de-east-1", true, "https://portal.sso-fips.eusc-de-east-1.amazonaws.eu"),
            (Service::SsoOidc, "cn-north-1", true, "https://oidc-fips.cn-north-1.amazonaws.com.cn"),
            (Service::SsoOidc, "us-gov-west-1", true, "https://oidc.us-gov-west-1.amazonaws.com"),
        ] {
            assert_eq!(at(service, region, fips, false).url, url);
        }
        // AWS Sign-In's OAuth host (console credentials): regional in every partition.
        for (region, url) in [
            ("us-east-1", "https://us-east-1.signin.aws.amazon.com"),
            ("cn-north-1", "https://cn-north-1.signin.amazonaws.cn"),
            ("us-gov-west-1", "https://us-gov-west-1.signin.amazonaws-us-gov.com"),
            ("eusc-de-east-1", "https://eusc-de-east-1.signin.amazonaws-eusc.eu"),
        ] {
            assert_eq!(at(Service::SigninOauth, region, false, false).url, url);
        }
        assert_eq!(at(Service::Signin, "eu-west-1", false, false).url, "https://eu-west-1.signin.aws.amazon.com");
        assert_eq!(at(Service::Signin, "cn-north-1", false, false).url, "https://signin.amazonaws.cn");
        assert_eq!(at(Service::Signin, "us-gov-west-1", false, false).url, "https://signin.amazonaws-us-gov.com");
        assert_eq!(at(Service::Signin, "eusc-de-east-1", false, false).url, "https://signin.amazonaws-eusc.eu");
        assert!(
            resolve(Service::Signin, &Params { region: "us-iso-east-1", ..Params::default() }).is_err(),
            "no public console"
        );
        assert!(resolve(Service::Signin, &Params { region: "xx-1", ..Params::default() }).is_err());
        let configured = Params {
            region: "eu-west-1",
            configured: Some(Configured { url: "http://127.0.0.1:9/".into(), from: "AWS_ENDPOINT_URL".into() }),
            ..Params::default()
        };
        assert_eq!(resolve(Service::Iam, &configured).unwrap().url, "http://127.0.0.1:9");
    }
}
