//! The AWS console's addresses: the console host of each partition, the page a service opens
//! (`--service`; one table, here), and the check that a `--destination` is a console page of
//! the partition rolecall signs in to (a sign-in never sends a person to another host).

use crate::aws::endpoint::Partition;
use anyhow::{Result, bail};

/// The console's domain in a partition; none where rolecall knows no public console.
pub fn domain(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" => Some("console.aws.amazon.com"),
        "aws-cn" => Some("console.amazonaws.cn"),
        "aws-us-gov" => Some("console.amazonaws-us-gov.com"),
        "aws-eusc" => Some("console.amazonaws-eusc.eu"),
        _ => None,
    }
}

/// One service's console page: the names `--service` takes, its path, and whether it is global
/// (no region in its address).
#[derive(Debug)]
pub struct ServicePage {
    pub names: &'static [&'static str],
    pub path: &'static str,
    pub global: bool,
}

const fn page(names: &'static [&'static str], path: &'static str) -> ServicePage {
    ServicePage { names, path, global: false }
}

const fn global(names: &'static [&'static str], path: &'static str) -> ServicePage {
    ServicePage { names, path, global: true }
}

/// `--service`: the usual names and short forms.
pub const SERVICES: &[ServicePage] = &[
    page(&["console", "home"], "console"),
    page(&["acm"], "acm"),
    page(&["apigateway", "apigw"], "apigateway"),
    page(&["athena"], "athena"),
    page(&["backup"], "backup"),
    page(&["billing"], "billing"),
    page(&["cloudformation", "cfn"], "cloudformation"),
    global(&["cloudfront", "cf"], "cloudfront/v4"),
    page(&["cloudtrail", "ct"], "cloudtrail"),
    page(&["cloudwatch", "cw"], "cloudwatch"),
    page(&["codebuild"], "codesuite/codebuild"),
    page(&["codecommit"], "codesuite/codecommit"),
    page(&["codepipeline"], "codesuite/codepipeline"),
    page(&["config"], "config"),
    page(&["cost", "ce"], "cost-management"),
    page(&["dynamodb", "ddb"], "dynamodbv2"),
    page(&["ec2"], "ec2"),
    page(&["ecr"], "ecr"),
    page(&["ecs"], "ecs"),
    page(&["eks"], "eks"),
    page(&["elasticache"], "elasticache"),
    page(&["eventbridge", "events"], "events"),
    page(&["glue"], "glue"),
    page(&["guardduty", "gd"], "guardduty"),
    global(&["iam"], "iam"),
    page(&["kinesis"], "kinesis"),
    page(&["kms"], "kms"),
    page(&["lambda"], "lambda"),
    page(&["logs"], "cloudwatch/home#logsV2:log-groups"),
    global(&["organizations", "org"], "organizations/v2"),
    page(&["rds"], "rds"),
    page(&["redshift"], "redshiftv2"),
    global(&["route53", "r53"], "route53/v2"),
    page(&["s3"], "s3"),
    page(&["sagemaker"], "sagemaker"),
    page(&["secretsmanager", "secrets"], "secretsmanager"),
    page(&["securityhub"], "securityhub"),
    page(&["ses"], "ses"),
    page(&["sns"], "sns"),
    page(&["sqs"], "sqs"),
    page(&["ssm", "systems-manager"], "systems-manager"),
    page(&["sso", "identity-center"], "singlesignon"),
    page(&["stepfunctions", "states", "sfn"], "states"),
    global(&["support"], "support"),
    page(&["vpc"], "vpc"),
    page(&["waf"], "wafv2"),
];

/// The service a `--service` name means.
pub fn service(name: &str) -> Result<&'static ServicePage> {
    let lower = name.to_ascii_lowercase();
    if let Some(s) = SERVICES.iter().find(|s| s.names.contains(&lower.as_str())) {
        return Ok(s);
    }
    let names = SERVICES.iter().flat_map(|s| s.names.iter().copied());
    let hint =
        crate::util::text::did_you_mean(&lower, names).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
    bail!(
        "console service `{}` is not one rolecall knows{hint} (--destination URL opens any console page)",
        crate::util::text::printable(name)
    )
}

fn partition_of(region: &str) -> Result<(&'static Partition, &'static str)> {
    let Some(p) = Partition::of_region(region) else {
        bail!(
            "region `{}` is in no AWS partition rolecall knows: no console for it",
            crate::util::text::printable(region)
        );
    };
    match domain(p.name) {
        Some(d) => Ok((p, d)),
        None => bail!("the {} partition has no public console that rolecall knows", p.name),
    }
}

/// The page to open in `region`: the service's (the console's home without one). Regional pages
/// name the region; global ones do not.
pub fn destination(region: &str, service: Option<&ServicePage>) -> Result<String> {
    let (partition, domain) = partition_of(region)?;
    let page = service.unwrap_or(&SERVICES[0]);
    // Regional console hosts where the partition has them (the European Sovereign Cloud has
    // one host).
    let regional = partition.name != "aws-eusc";
    let (path, fragment) = match page.path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (page.path, None),
    };
    let path = if path.contains("/home") { path.to_owned() } else { format!("{path}/home") };
    let mut url = if page.global || !regional {
        let path = if page.global { path } else { format!("{path}?region={region}") };
        format!("https://{domain}/{path}")
    } else {
        format!("https://{region}.{domain}/{path}?region={region}")
    };
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(url)
}

/// A `--destination` is used as given only when it is an https page of the console of the
/// region's partition (a host that is the console's domain or under it).
/// The URL is read as a browser reads it (the WHATWG URL rules: a `\` is a `/`, what comes
/// before an `@` is a user name), so the host checked is the host the browser goes to; what is
/// sent on is that reading, written out.
pub fn check_destination(url: &str, region: &str) -> Result<String> {
    let (p, domain) = partition_of(region)?;
    let shown = crate::util::text::printable(url);
    let parsed = url::Url::parse(url).ok().filter(|u| u.scheme() == "https");
    let Some(parsed) = parsed else {
        bail!("--destination {shown}: not an https address of the console");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!("--destination {shown}: a console address carries no user name");
    }
    let host = match parsed.host() {
        Some(url::Host::Domain(host)) => host.to_owned(),
        _ => String::new(),
    };
    if host != domain && !host.ends_with(&format!(".{domain}")) {
        bail!(
            "--destination {shown}: not a console page of the {} partition (its console is {domain}, for region {region})",
            p.name
        );
    }
    Ok(parsed.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(
            destination("eu-west-1", None).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        let s3 = service("s3").unwrap();
        assert_eq!(
            destination("us-east-2", Some(s3)).unwrap(),
            "https://us-east-2.console.aws.amazon.com/s3/home?region=us-east-2"
        );
        assert_eq!(
            destination("eu-west-1", Some(service("IAM").unwrap())).unwrap(),
            "https://console.aws.amazon.com/iam/home"
        );
        assert_eq!(
            destination("cn-north-1", Some(service("lambda").unwrap())).unwrap(),
            "https://cn-north-1.console.amazonaws.cn/lambda/home?region=cn-north-1"
        );
        assert_eq!(
            destination("us-gov-west-1", None).unwrap(),
            "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
        assert_eq!(
            destination("eu-west-1", Some(service("logs").unwrap())).unwrap(),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups"
        );
        assert!(destination("us-iso-east-1", None).is_err(), "no public console there");
        assert!(destination("xx-1", None).is_err());
        let err = format!("{:#}", service("lamda").unwrap_err());
        assert!(err.contains("did you mean `lambda`"), "{err}");
    }

    #[test]
    fn destinations_stay_in_the_partition() {
        check_destination("https://console.aws.amazon.com/ec2/home", "eu-west-1").unwrap();
        check_destination("https://eu-west-1.console.aws.amazon.com/s3/buckets", "eu-west-1").unwrap();
        check_destination("https://console.amazonaws.cn/", "cn-north-1").unwrap();
        for bad in [
            "https://console.amazonaws.cn/",
            "http://console.aws.amazon.com/",
            "https://console.aws.amazon.com.evil.example/",
            "https://evil.example/?console.aws.amazon.com",
            "https://console.aws.amazon.com@evil.example/",
            "https://evil.example\\@console.aws.amazon.com/",
            "https://evil.example\\.console.aws.amazon.com/",
            "https://evil.example%2f@console.aws.amazon.com/",
            "https://user@console.aws.amazon.com/",
            "https://127.0.0.1/",
            "javascript:alert(1)",
        ] {
            assert!(check_destination(bad, "eu-west-1").is_err(), "{bad}");
        }
    }
}
