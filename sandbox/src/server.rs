//! Binding the four loopback listeners and serving them until shut down.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api_kind::ApiKind;
use crate::config::Config;
use crate::error::Error;
use crate::faults::{ConnectionControl, ControlledListener, Faults};
use crate::ratelimit::{Limiter, RateLimits};
use crate::state::{AppState, CspSwitch, Settings};
use crate::store::Store;
use crate::store::seed::{BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TENANT, ITGLUE_API_KEY};
use crate::{bms, bms_web, itglue, itglue_web};

/// The bound socket addresses, all on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    pub itglue_api: SocketAddr,
    pub bms_api: SocketAddr,
    pub bms_web: SocketAddr,
    pub itglue_web: SocketAddr,
}

/// The origins under the loopback host names that Chromium resolves to 127.0.0.1; the
/// sandbox uses them in every URL it generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    pub itglue_api: String,
    pub bms_api: String,
    pub bms_web: String,
    pub itglue_web: String,
}

impl PublicUrls {
    fn for_addresses(addresses: &Addresses) -> Self {
        Self {
            itglue_api: format!(
                "http://api.itglue.localhost:{}",
                addresses.itglue_api.port()
            ),
            bms_api: format!("http://api.bms.localhost:{}", addresses.bms_api.port()),
            bms_web: format!("http://bms.localhost:{}", addresses.bms_web.port()),
            itglue_web: format!(
                "http://demo-msp.itglue.localhost:{}",
                addresses.itglue_web.port()
            ),
        }
    }
}

/// A started sandbox. Dropping it also stops the listeners, without waiting.
pub struct Running {
    addresses: Addresses,
    urls: Arc<PublicUrls>,
    stop: watch::Sender<()>,
    tasks: Vec<(&'static str, JoinHandle<std::io::Result<()>>)>,
}

impl Running {
    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    pub fn urls(&self) -> &PublicUrls {
        &self.urls
    }

    /// The single JSON line the binary prints once every listener is bound.
    pub fn ready_line(&self) -> String {
        let ip = |addr: SocketAddr| format!("http://{addr}");
        let line = ReadyLine {
            itglue_api: &self.urls.itglue_api,
            bms_api: &self.urls.bms_api,
            bms_web: &self.urls.bms_web,
            itglue_web: &self.urls.itglue_web,
            itglue_api_ip: ip(self.addresses.itglue_api),
            bms_api_ip: ip(self.addresses.bms_api),
            bms_web_ip: ip(self.addresses.bms_web),
            itglue_web_ip: ip(self.addresses.itglue_web),
            credentials: Credentials {
                itglue_api_key: ITGLUE_API_KEY,
                bms_username: BMS_API_USERNAME,
                bms_password: BMS_API_PASSWORD,
                bms_company: BMS_TENANT,
            },
        };
        // Plain strings and a nested struct always serialise.
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Stops accepting, lets in-flight requests finish and waits for every listener.
    pub async fn shutdown(self) -> Result<(), Error> {
        self.stop.send_replace(());
        for (service, task) in self.tasks {
            task.await
                .map_err(|_| Error::Join { service })?
                .map_err(|source| Error::Serve { service, source })?;
        }
        Ok(())
    }
}

/// Serialised from a struct so the members keep the documented order.
#[derive(Serialize)]
struct ReadyLine<'a> {
    itglue_api: &'a str,
    bms_api: &'a str,
    bms_web: &'a str,
    itglue_web: &'a str,
    itglue_api_ip: String,
    bms_api_ip: String,
    bms_web_ip: String,
    itglue_web_ip: String,
    credentials: Credentials,
}

#[derive(Serialize)]
struct Credentials {
    itglue_api_key: &'static str,
    bms_username: &'static str,
    bms_password: &'static str,
    bms_company: &'static str,
}

/// Opens the store, binds the four listeners and starts serving.
pub async fn start(config: Config) -> Result<Running, Error> {
    let store = Store::open(&config.db_path, config.reset, config.world)?;
    let ports = config.ports;
    let itglue_api = bind("IT Glue API", ports.itglue_api).await?;
    let bms_api = bind("BMS API", ports.bms_api).await?;
    let bms_web = bind("BMS web", ports.bms_web).await?;
    let itglue_web = bind("IT Glue web", ports.itglue_web).await?;
    let addresses = Addresses {
        itglue_api: local_addr("IT Glue API", &itglue_api)?,
        bms_api: local_addr("BMS API", &bms_api)?,
        bms_web: local_addr("BMS web", &bms_web)?,
        itglue_web: local_addr("IT Glue web", &itglue_web)?,
    };
    let urls = Arc::new(PublicUrls::for_addresses(&addresses));
    let state = AppState {
        store,
        settings: Arc::new(Settings::from(&config)),
        urls: Arc::clone(&urls),
        csp: CspSwitch::new(config.csp),
    };
    let (stop, stopped) = watch::channel(());
    let services = [
        ("IT Glue API", itglue_api, guarded(ApiKind::ItGlue, itglue::router(state.clone()), &config.rate_limits)),
        ("BMS API", bms_api, guarded(ApiKind::Bms, bms::router(state.clone()), &config.rate_limits)),
        ("BMS web", bms_web, bms_web::router(state.clone())),
        ("IT Glue web", itglue_web, itglue_web::router(state)),
    ];
    let tasks = services
        .into_iter()
        .map(|(service, listener, router)| (service, serve(listener, router, stopped.clone())))
        .collect();
    Ok(Running {
        addresses,
        urls,
        stop,
        tasks,
    })
}

/// An API router behind its rate limiter and, outermost, its fault layer, each with its
/// `/_sandbox/*` routes.
fn guarded(api: ApiKind, router: Router, limits: &RateLimits) -> Router {
    let limiter = Limiter::new(api, limits);
    let faults = Faults::new(api, limiter.rejection());
    faults.apply(limiter.apply(router))
}

async fn bind(service: &'static str, port: u16) -> Result<TcpListener, Error> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| Error::Bind {
            service,
            port,
            source,
        })
}

fn local_addr(service: &'static str, listener: &TcpListener) -> Result<SocketAddr, Error> {
    listener.local_addr().map_err(|source| Error::Bind {
        service,
        port: 0,
        source,
    })
}

fn serve(
    listener: TcpListener,
    router: Router,
    mut stopped: watch::Receiver<()>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        // Controlled connections let injected faults close or reset them.
        let service = router.into_make_service_with_connect_info::<ConnectionControl>();
        axum::serve(ControlledListener::new(listener), service)
            .with_graceful_shutdown(async move {
                // Either an explicit stop or the handle being dropped ends the service.
                let _ = stopped.changed().await;
            })
            .await
    })
}
