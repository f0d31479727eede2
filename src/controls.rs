//! Pieces the extension pages share: the page header, an action's outcome next to its button, and tab buttons.

use bms_itglue_core::messages::Response;
use leptos::prelude::*;

/// The outcome of an action, shown next to its button.
#[derive(Clone, Default)]
pub struct Outcome {
    pub ok: Option<bool>,
    pub message: String,
}

impl Outcome {
    pub fn pending(message: &str) -> Self {
        Outcome { ok: None, message: message.to_owned() }
    }

    pub fn success(message: &str) -> Self {
        Outcome { ok: Some(true), message: message.to_owned() }
    }

    /// `Done` is success, said with `done`; anything else is a failure in the worker's words.
    pub fn of(response: Response, done: &str) -> Self {
        match response {
            Response::Done => Outcome::success(done),
            other => failure(other),
        }
    }

    /// The stable name that tests and styles key on.
    pub fn result(&self) -> &'static str {
        match self.ok {
            Some(true) => "ok",
            Some(false) => "error",
            None => "pending",
        }
    }
}

/// An answer that is not the one asked for.
pub fn failure(answer: Response) -> Outcome {
    let message = match answer {
        Response::Failed { message } => message,
        _ => "The extension refused the request.".into(),
    };
    Outcome { ok: Some(false), message }
}

pub fn outcome_view(id: &'static str, class: &'static str, outcome: RwSignal<Outcome>) -> impl IntoView {
    view! {
        <span id=id class=format!("outcome {class}") role="status" data-result=move || outcome.with(Outcome::result)>
            {move || outcome.with(|o| o.message.clone())}
        </span>
    }
}

/// A tab of a page whose current tab is `tab`.
pub fn tab_button<T: Copy + PartialEq + Send + Sync + 'static>(
    tab: RwSignal<T>,
    id: &'static str,
    label: &'static str,
    which: T,
) -> impl IntoView {
    view! {
        <button id=id type="button" class="tab" class:active=move || tab.get() == which role="tab"
            aria-selected=move || (tab.get() == which).to_string() on:click=move |_| tab.set(which)>{label}</button>
    }
}

/// The extension's icon and the page's title, as every extension page opens.
pub fn page_header(title: &'static str) -> impl IntoView {
    view! {
        <header class="page-header">
            <img src="icons/icon-48.png" alt="" width="32" height="32"/>
            <h1>{title}</h1>
        </header>
    }
}
