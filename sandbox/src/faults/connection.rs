//! A listener whose connections a request can close or reset: a fault that "drops" a request
//! must act on the TCP connection, which a handler never sees. Each accepted stream carries
//! a [`ConnectionControl`], handed to requests as `ConnectInfo<ConnectionControl>`.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

const OPEN: u8 = 0;
const CLOSE: u8 = 1;
const RESET: u8 = 2;

/// How a dropped connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A normal close (FIN) without any response.
    Close,
    /// An abortive close (RST).
    Reset,
}

/// The switch of one connection; clones share it.
#[derive(Debug, Clone, Default)]
pub struct ConnectionControl(Arc<AtomicU8>);

impl ConnectionControl {
    /// From now on every read and write on the connection fails, so the server drops it
    /// before writing anything more.
    pub fn end(&self, ending: Ending) {
        let state = match ending {
            Ending::Close => CLOSE,
            Ending::Reset => RESET,
        };
        self.0.store(state, Ordering::SeqCst);
    }

    fn state(&self) -> u8 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, ControlledListener>> for ConnectionControl {
    fn connect_info(stream: IncomingStream<'_, ControlledListener>) -> Self {
        stream.io().control.clone()
    }
}

pub struct ControlledListener(TcpListener);

impl ControlledListener {
    pub fn new(listener: TcpListener) -> Self {
        Self(listener)
    }
}

impl Listener for ControlledListener {
    type Io = ControlledStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (inner, addr) = Listener::accept(&mut self.0).await;
        let stream = ControlledStream {
            inner,
            control: ConnectionControl::default(),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

pub struct ControlledStream {
    inner: TcpStream,
    control: ConnectionControl,
}

impl ControlledStream {
    /// `Ok` while the connection is open; otherwise the error that makes the server drop
    /// it. A reset first sets a zero linger, so closing the socket sends RST, not FIN.
    fn check(&self) -> io::Result<()> {
        match self.control.state() {
            OPEN => Ok(()),
            RESET => {
                socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO))?;
                Err(io::ErrorKind::ConnectionReset.into())
            }
            _ => Err(io::ErrorKind::ConnectionAborted.into()),
        }
    }
}

impl AsyncRead for ControlledStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ControlledStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
