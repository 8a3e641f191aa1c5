//! Finding the app instances that wait for the user's signature, the way the live platform
//! shows them.
//!
//! Dialogporten mirrors each app instance as a dialog (the Dialogporten adapter), but the
//! dialog does not say whether the user may sign: since 2026-04-21 the adapter's go-to GUI
//! action is `read` whatever the task ("we offload the handling of missing write/sign
//! permissions to the app", altinn-dialogporten-adapter de77c1c). So each dialog is mapped
//! to its instance (the `read` API action's URL, app or Storage form, else the go-to URL)
//! and the instance's own process decides: at a signing task whose `actions.sign` is
//! authorised for the caller.

use super::client::Client;
use super::dialogporten::DialogQuery;
use super::environment::AppId;
use super::model::{Dialog, InstanceRef, ProcessState};
use crate::error::Error;

/// A dialog waiting for the user's signature, with the instance it mirrors and that
/// instance's (authoritative) process state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwaitingSignature {
    /// The dialog.
    pub dialog: Dialog,
    /// The app instance.
    pub instance: InstanceRef,
    /// The instance's process, at a signing task the user may sign.
    pub process: ProcessState,
}

/// A dialog the search could not decide about, and why; the search went on without it.
#[derive(Debug)]
#[non_exhaustive]
pub struct SkippedDialog {
    /// The dialog's id.
    pub dialog_id: String,
    /// The instance it mirrors, when that was found.
    pub instance: Option<InstanceRef>,
    /// What failed.
    pub error: Error,
}

/// What [`Client::awaiting_signature`] found.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Discovery {
    /// The instances waiting for the user's signature.
    pub awaiting: Vec<AwaitingSignature>,
    /// Dialogs that could not be read or mapped, or whose instance could not be read.
    pub skipped: Vec<SkippedDialog>,
    /// How many dialogs the search returned.
    pub dialogs_seen: usize,
}

impl Client {
    /// Finds the app instances waiting for the user's signature: searches `query` through
    /// all its pages (give the app's service resource, [`AppId::service_resource`], and
    /// status [`InProgress`](super::DialogStatus::InProgress), which the adapter gives a
    /// signing task), reads each app dialog, maps it to its instance and keeps those whose
    /// process is at a signing task the user may sign. A dialog whose dialog, mapping or
    /// process fails is reported in [`Discovery::skipped`] and does not stop the search.
    ///
    /// ```no_run
    /// use altinn_adapter::v3::{AppId, Client, DialogQuery, DialogStatus};
    /// # async fn run(client: Client) -> Result<(), altinn_adapter::Error> {
    /// let app = AppId::parse("ttd/signing-demo")?;
    /// let found = client
    ///     .awaiting_signature(
    ///         &DialogQuery::new()
    ///             .service_resource(app.service_resource())
    ///             .status(DialogStatus::InProgress),
    ///     )
    ///     .await?;
    /// for waiting in &found.awaiting {
    ///     println!("{} waits for your signature", waiting.instance);
    /// }
    /// for skipped in &found.skipped {
    ///     eprintln!("dialog {}: {}", skipped.dialog_id, skipped.error);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The search itself failing (a page of `GET dialogs`); nothing per dialog.
    pub async fn awaiting_signature(&self, query: &DialogQuery) -> Result<Discovery, Error> {
        let mut found = Discovery::default();
        let mut query = query.clone();
        loop {
            let page = self.dialogs(&query).await?;
            found.dialogs_seen += page.items.len();
            for item in &page.items {
                // Dialogs of other services than apps mirror no instance.
                if item
                    .service_resource
                    .as_deref()
                    .is_some_and(|r| AppId::from_service_resource(r).is_none())
                {
                    continue;
                }
                match self.decide(item).await {
                    Ok(Some(waiting)) => found.awaiting.push(waiting),
                    Ok(None) => {}
                    Err((instance, error)) => {
                        tracing::warn!(dialog = %item.id, %error, "skipping a dialog");
                        found.skipped.push(SkippedDialog {
                            dialog_id: item.id.clone(),
                            instance,
                            error,
                        });
                    }
                }
            }
            match (page.has_next_page, page.continuation_token) {
                (true, Some(token)) => query = query.continuation_token(token),
                _ => break,
            }
        }
        Ok(found)
    }

    /// One dialog: read it, map it, ask its instance's process.
    async fn decide(
        &self,
        item: &Dialog,
    ) -> Result<Option<AwaitingSignature>, (Option<InstanceRef>, Error)> {
        let dialog = self.dialog(&item.id).await.map_err(|e| (None, e))?;
        let instance = dialog.instance().ok_or_else(|| {
            (
                None,
                Error::UnexpectedResponse(
                    "the dialog names no app instance (no read API action or go-to URL)".to_owned(),
                ),
            )
        })?;
        let process = self
            .process(&instance.app, &instance.id)
            .await
            .map_err(|e| (Some(instance.clone()), e))?;
        Ok(process.awaits_signature().then_some(AwaitingSignature {
            dialog,
            instance,
            process,
        }))
    }
}
