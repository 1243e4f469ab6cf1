//! Schemas from a live cluster (cargo feature `kube`): the CustomResourceDefinition list
//! and the `/openapi/v3` documents of the built-in API groups, with the disk cache as
//! memory and fallback.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cache::{DiskCache, build_snapshot};
use crate::store::ClusterSchemas;

/// How to reach the cluster.
#[derive(Clone, Debug, Default)]
pub struct ClusterOptions {
    /// Kubeconfig context; `None` = the kubeconfig's current context.
    pub context: Option<String>,
    /// Kubeconfig file; `None` = `$KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// Do not contact the cluster: serve the disk cache only.
    pub offline: bool,
    /// Base folder of the disk cache; `None` = [`DiskCache::default_base`].
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the disk cache.
    pub no_cache: bool,
    /// Per-request timeout (default 20 s).
    pub timeout: Option<Duration>,
}

/// Why no schema could be obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterError {
    /// The kubeconfig is missing, unreadable, or has no such context.
    Config(String),
    /// The cluster could not be reached or answered with an error, and nothing is cached.
    Request(String),
    /// Offline, and nothing is cached for the context.
    NoCache(String),
}

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(m) => write!(f, "kubeconfig: {m}"),
            Self::Request(m) => write!(f, "cluster: {m}"),
            Self::NoCache(c) => write!(f, "offline and no cached schemas for context `{c}`"),
        }
    }
}

impl std::error::Error for ClusterError {}

/// Parallel downloads of OpenAPI documents (a cluster serves dozens).
const CONCURRENCY: usize = 4;

/// Fetch the schemas of the cluster of `options.context`. A failed fetch falls back to
/// the disk cache (the snapshot then has `from_cache` set and `fetch_error` filled).
pub async fn fetch(options: &ClusterOptions) -> Result<ClusterSchemas, ClusterError> {
    let kubeconfig = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| ClusterError::Config(e.to_string()))?;
    let context = options
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .ok_or_else(|| ClusterError::Config("no context selected and no current-context".into()))?;
    let cache = if options.no_cache {
        None
    } else {
        options
            .cache_dir
            .clone()
            .or_else(DiskCache::default_base)
            .map(|base| DiskCache::new(&base, &context))
    };
    if options.offline {
        return cache
            .as_ref()
            .and_then(DiskCache::snapshot)
            .ok_or(ClusterError::NoCache(context));
    }
    let kube_options = KubeConfigOptions {
        context: Some(context.clone()),
        ..KubeConfigOptions::default()
    };
    let live = async {
        let mut config = Config::from_custom_kubeconfig(kubeconfig, &kube_options)
            .await
            .map_err(|e| ClusterError::Config(e.to_string()))?;
        let timeout = options.timeout.unwrap_or(Duration::from_secs(20));
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        config.reset_reader_on_write = true;
        let client = Client::try_from(config).map_err(|e| ClusterError::Config(e.to_string()))?;
        fetch_live(client, &context, cache.as_ref()).await
    };
    match live.await {
        Ok(s) => Ok(s),
        Err(ClusterError::Request(e)) => match cache.as_ref().and_then(DiskCache::snapshot) {
            Some(mut snapshot) => {
                snapshot.fetch_error = Some(e);
                Ok(snapshot)
            }
            None => Err(ClusterError::Request(e)),
        },
        Err(e) => Err(e),
    }
}

async fn fetch_live(
    client: Client,
    context: &str,
    cache: Option<&DiskCache>,
) -> Result<ClusterSchemas, ClusterError> {
    let crds = list_crds(&client).await?;
    if let Some(c) = cache {
        // The cache is best effort: a read-only home must not break schema loading.
        let _ = c.put_crds(&crds);
    }
    let crd_groups: std::collections::HashSet<String> = crds
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.pointer("/spec/group")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();

    let index: Value = get_json(&client, "/openapi/v3").await?;
    let mut wanted = Vec::new();
    for (path, entry) in index
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(url) = entry.get("serverRelativeURL").and_then(Value::as_str) else {
            continue;
        };
        let group = match path.split('/').collect::<Vec<_>>().as_slice() {
            ["api", _] => String::new(),
            ["apis", group, _] => (*group).to_owned(),
            _ => continue,
        };
        if crd_groups.contains(&group) {
            continue;
        }
        let hash = url
            .split_once("hash=")
            .map(|(_, h)| h.split('&').next().unwrap_or(h))
            .unwrap_or("");
        wanted.push((path.clone(), url.to_owned(), hash.to_owned()));
    }

    let semaphore = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for (path, url, hash) in wanted {
        if !hash.is_empty()
            && let Some(doc) = cache.and_then(|c| c.get_openapi(&path, &hash))
        {
            tasks.spawn(async move { Ok((path, hash, doc, None)) });
            continue;
        }
        let client = client.clone();
        let semaphore = semaphore.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let text = get_text(&client, &url).await?;
            let doc: Value = serde_json::from_str(&text)
                .map_err(|e| ClusterError::Request(format!("{url}: {e}")))?;
            Ok((path, hash, doc, Some(text)))
        });
    }
    let mut docs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (path, hash, doc, fresh) =
            joined.map_err(|e| ClusterError::Request(e.to_string()))??;
        if let (Some(c), Some(text)) = (cache, fresh)
            && !hash.is_empty()
        {
            let _ = c.put_openapi(&path, &hash, &text);
        }
        docs.push((path, doc));
    }
    docs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(build_snapshot(context, Some(&crds), &docs, false))
}

/// Every CRD, as JSON (paged: large clusters have hundreds).
async fn list_crds(client: &Client) -> Result<Value, ClusterError> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(100);
    loop {
        let page = api
            .list(&params)
            .await
            .map_err(|e| ClusterError::Request(e.to_string()))?;
        for crd in page.items {
            out.push(serde_json::to_value(crd).map_err(|e| ClusterError::Request(e.to_string()))?);
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    Ok(Value::Array(out))
}

fn get(uri: &str) -> Result<http::Request<Vec<u8>>, ClusterError> {
    http::Request::get(uri)
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| ClusterError::Request(e.to_string()))
}

async fn get_json(client: &Client, uri: &str) -> Result<Value, ClusterError> {
    client
        .request::<Value>(get(uri)?)
        .await
        .map_err(|e| ClusterError::Request(format!("{uri}: {e}")))
}

async fn get_text(client: &Client, uri: &str) -> Result<String, ClusterError> {
    client
        .request_text(get(uri)?)
        .await
        .map_err(|e| ClusterError::Request(format!("{uri}: {e}")))
}
