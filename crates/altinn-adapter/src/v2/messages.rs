//! Reading and handling messages: lists, one message, forms, attachments, print, archive,
//! confirm, delete, reportees.

use reqwest::Method;
use tokio::io::AsyncWrite;

use super::client::{Call, Client, Payload, location};
use super::environment::Who;
use super::hal::{Resource, last_segment};
use super::model::{Attachment, Form, Message, MessageId, Reportee, SigningText};
use crate::error::Error;

/// Altinn returns at most this many items per list call.
pub const MAX_PAGE_SIZE: u32 = 50;

/// Which messages to list. Empty means all, in Altinn's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct MessageQuery {
    filter: Option<String>,
    top: Option<u32>,
    order_by: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
}

impl MessageQuery {
    /// All messages.
    pub fn new() -> Self {
        Self::default()
    }

    /// An OData `$filter`, e.g. `Status eq 'Signering' and ServiceCode eq '4711'`.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// At most this many messages in total (pages are fetched until reached).
    pub fn top(mut self, top: u32) -> Self {
        self.top = Some(top);
        self
    }

    /// `$orderby`, e.g. `CreatedDate`.
    pub fn order_by(mut self, order_by: impl Into<String>) -> Self {
        self.order_by = Some(order_by.into());
        self
    }

    /// Only messages last changed from this date (`dateFrom`, applied before `$filter`;
    /// narrows the window when Altinn reports its limit reached), e.g. `2024-01-31`.
    pub fn date_from(mut self, date: impl Into<String>) -> Self {
        self.date_from = Some(date.into());
        self
    }

    /// Only messages last changed up to this date (`dateTo`).
    pub fn date_to(mut self, date: impl Into<String>) -> Self {
        self.date_to = Some(date.into());
        self
    }
}

/// One page of a message list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessagePage {
    /// The messages.
    pub messages: Vec<Message>,
    /// Altinn sent `X-Warning-LimitReached`: its database limit was hit before `$filter`
    /// ran, so the list may be incomplete. Narrow it with a date window.
    pub limit_reached: bool,
}

/// All pages of a message list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageList {
    /// The messages, in the order received.
    pub messages: Vec<Message>,
    /// Any page carried `X-Warning-LimitReached`; see [`MessagePage::limit_reached`].
    pub limit_reached: bool,
    /// How many calls it took.
    pub pages: u32,
}

/// Which PDF to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrintOptions {
    /// Only the form with this data format (`dataFormatId`), with
    /// [`data_format_version`](Self::data_format_version).
    pub data_format_id: Option<String>,
    /// The data format's version (`dataFormatVersion`).
    pub data_format_version: Option<String>,
}

/// Where an archived item now is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Archived {
    /// The archived item's address, from `Location`.
    pub location: Option<String>,
    /// Its id (`b…`), taken from the address.
    pub message_id: Option<MessageId>,
}

impl Archived {
    pub(crate) fn from_location(location: Option<String>) -> Self {
        let message_id = location
            .as_deref()
            .and_then(last_segment)
            .map(MessageId::new);
        Self {
            location,
            message_id,
        }
    }
}

impl Client {
    fn message_url(&self, who: &Who, id: &MessageId, rest: &[&str]) -> url::Url {
        let mut segments = vec![who.as_segment(), "messages", id.as_str()];
        segments.extend_from_slice(rest);
        self.api_url(&segments)
    }

    /// One page of `who`'s messages starting at `skip`.
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn messages_page(
        &self,
        who: &Who,
        query: &MessageQuery,
        skip: u32,
        top: Option<u32>,
    ) -> Result<MessagePage, Error> {
        let mut url = self.with_language(self.api_url(&[who.as_segment(), "messages"]));
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(filter) = &query.filter {
                pairs.append_pair("$filter", filter);
            }
            if let Some(order_by) = &query.order_by {
                pairs.append_pair("$orderby", order_by);
            }
            if skip > 0 {
                pairs.append_pair("$skip", &skip.to_string());
            }
            if let Some(top) = top {
                pairs.append_pair("$top", &top.to_string());
            }
            if let Some(from) = &query.date_from {
                pairs.append_pair("dateFrom", from);
            }
            if let Some(to) = &query.date_to {
                pairs.append_pair("dateTo", to);
            }
        }
        let (value, response) = self.json(&Call::get(url)).await?;
        let limit_reached = response
            .headers()
            .get("X-Warning-LimitReached")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().eq_ignore_ascii_case("false"));
        if limit_reached {
            tracing::warn!(
                "Altinn reached its list limit before filtering; narrow the date window"
            );
        }
        Ok(MessagePage {
            messages: Message::list(&value),
            limit_reached,
        })
    }

    /// `who`'s messages (message box and archive), paging with `$skip` until a page comes
    /// back empty or [`MessageQuery::top`] is reached.
    ///
    /// Altinn takes a snapshot per call, so items arriving or leaving while paging can
    /// shift pages; narrow with a filter or date window where that matters.
    ///
    /// # Errors
    ///
    /// The first failing page's error.
    pub async fn messages(&self, who: &Who, query: &MessageQuery) -> Result<MessageList, Error> {
        let mut list = MessageList {
            messages: Vec::new(),
            limit_reached: false,
            pages: 0,
        };
        loop {
            let remaining = query
                .top
                .map(|top| top.saturating_sub(len_u32(&list.messages)));
            if remaining == Some(0) {
                break;
            }
            let page_top = remaining.map(|r| r.min(MAX_PAGE_SIZE));
            let page = self
                .messages_page(who, query, len_u32(&list.messages), page_top)
                .await?;
            list.pages += 1;
            list.limit_reached |= page.limit_reached;
            let count = page.messages.len();
            list.messages.extend(page.messages);
            // A short page is no sign of the end: Altinn caps pages below a requested $top.
            if count == 0 {
                break;
            }
        }
        Ok(list)
    }

    /// One message, without marking it as read.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404) for an unknown id, or the request's failure.
    pub async fn message(&self, who: &Who, id: &MessageId) -> Result<Message, Error> {
        self.message_reading(who, id, false).await
    }

    /// One message; with `mark_as_read` a correspondence counts as read afterwards.
    ///
    /// # Errors
    ///
    /// As for [`message`](Self::message).
    pub async fn message_reading(
        &self,
        who: &Who,
        id: &MessageId,
        mark_as_read: bool,
    ) -> Result<Message, Error> {
        let mut url = self.with_language(self.message_url(who, id, &[]));
        url.query_pairs_mut()
            .append_pair("markAsRead", if mark_as_read { "true" } else { "false" });
        self.message_at_url(url).await
    }

    /// The message at a link or `Location` Altinn gave (which must be on the API host).
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] for another host, or the request's failure.
    pub async fn message_at(&self, href: &str) -> Result<Message, Error> {
        let mut url = self.resolve(href)?;
        if !url
            .query_pairs()
            .any(|(k, _)| k.eq_ignore_ascii_case("markAsRead"))
        {
            url.query_pairs_mut().append_pair("markAsRead", "false");
        }
        self.message_at_url(url).await
    }

    async fn message_at_url(&self, url: url::Url) -> Result<Message, Error> {
        let (value, _) = self.json(&Call::get(url)).await?;
        Message::from_obj(&super::hal::Obj::new(&value))
            .ok_or_else(|| Error::UnexpectedResponse("the message has no MessageId".to_owned()))
    }

    /// The forms of a message's form set, with their signing flags.
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn forms(&self, who: &Who, id: &MessageId) -> Result<Vec<Form>, Error> {
        let url = self.with_language(self.message_url(who, id, &["forms"]));
        let (value, _) = self.json(&Call::get(url)).await?;
        Ok(Form::list(&value))
    }

    /// One form.
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn form(&self, who: &Who, id: &MessageId, form_id: i64) -> Result<Form, Error> {
        let form_id = form_id.to_string();
        let url = self.with_language(self.message_url(who, id, &["forms", &form_id]));
        let (value, _) = self.json(&Call::get(url)).await?;
        Form::from_obj(&super::hal::Obj::new(&value))
            .ok_or_else(|| Error::UnexpectedResponse("the form has no FormId".to_owned()))
    }

    /// A form's data (XML).
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn form_data(
        &self,
        who: &Who,
        id: &MessageId,
        form_id: i64,
    ) -> Result<String, Error> {
        let form_id = form_id.to_string();
        let url = self.with_language(self.message_url(who, id, &["forms", &form_id, "formdata"]));
        self.text(&Call::get(url).accept("application/xml")).await
    }

    /// A message's attachments (metadata only).
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn attachments(&self, who: &Who, id: &MessageId) -> Result<Vec<Attachment>, Error> {
        let url = self.message_url(who, id, &["attachments"]);
        let (value, _) = self.json(&Call::get(url)).await?;
        Ok(Attachment::list(&value))
    }

    /// Streams an attachment into `sink`; returns the bytes written.
    ///
    /// # Errors
    ///
    /// The request's failure, or [`Error::Io`] when writing fails.
    pub async fn download_attachment(
        &self,
        who: &Who,
        id: &MessageId,
        attachment_id: i64,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let attachment_id = attachment_id.to_string();
        let url = self.message_url(who, id, &["attachments", &attachment_id]);
        self.download(&Call::get(url).accept("application/octet-stream"), sink)
            .await
    }

    /// Streams the PDF of a message's form set (or one form of it) into `sink`.
    ///
    /// # Errors
    ///
    /// The request's failure, or [`Error::Io`] when writing fails.
    pub async fn print(
        &self,
        who: &Who,
        id: &MessageId,
        options: &PrintOptions,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let mut url = self.with_language(self.message_url(who, id, &["print"]));
        if let Some(format) = &options.data_format_id {
            url.query_pairs_mut().append_pair("dataFormatId", format);
        }
        if let Some(version) = &options.data_format_version {
            url.query_pairs_mut()
                .append_pair("dataFormatVersion", version);
        }
        self.download(&Call::get(url).accept("application/pdf"), sink)
            .await
    }

    /// Streams whatever a link Altinn gave points to (a print or attachment link) into
    /// `sink`.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] for another host, the request's failure, or [`Error::Io`].
    pub async fn download_link(
        &self,
        href: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.resolve(href)?;
        self.download(&Call::get(url).accept("*/*"), sink).await
    }

    /// The text the signer confirms by signing. Show it before calling
    /// [`sign`](Self::sign).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404) when the service has no signing step or the message is not at it.
    pub async fn signing_text(&self, who: &Who, id: &MessageId) -> Result<SigningText, Error> {
        let url = self.with_language(self.message_url(who, id, &["signingtext"]));
        Ok(SigningText::parse(self.text(&Call::get(url)).await?))
    }

    /// Archives a correspondence; the archived item's address comes from `Location`.
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn archive(&self, who: &Who, id: &MessageId) -> Result<Archived, Error> {
        let url = self.with_language(self.message_url(who, id, &["archive"]));
        let response = self
            .execute(&Call::new(Method::PUT, url, Payload::None))
            .await?;
        Ok(Archived::from_location(location(&response)))
    }

    /// Confirms receipt of a correspondence that asks for it.
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn confirm(&self, who: &Who, id: &MessageId) -> Result<(), Error> {
        let url = self.with_language(self.message_url(who, id, &["confirm"]));
        self.execute(&Call::new(Method::PUT, url, Payload::None))
            .await?;
        Ok(())
    }

    /// Deletes a message (to the trash bin, or permanently where Altinn does so).
    ///
    /// # Errors
    ///
    /// The request's failure.
    pub async fn delete(&self, who: &Who, id: &MessageId) -> Result<(), Error> {
        let url = self.message_url(who, id, &[]);
        self.execute(&Call::new(Method::DELETE, url, Payload::None))
            .await?;
        Ok(())
    }

    /// Deletes the message at a link Altinn gave.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] for another host, or the request's failure.
    pub async fn delete_at(&self, href: &str) -> Result<(), Error> {
        let url = self.resolve(href)?;
        self.execute(&Call::new(Method::DELETE, url, Payload::None))
            .await?;
        Ok(())
    }

    /// Everyone the user can act for, all pages.
    ///
    /// # Errors
    ///
    /// The first failing page's error.
    pub async fn reportees(&self) -> Result<Vec<Reportee>, Error> {
        let mut reportees = Vec::new();
        loop {
            let mut url = self.api_url(&["reportees"]);
            if !reportees.is_empty() {
                url.query_pairs_mut()
                    .append_pair("$skip", &len_u32(&reportees).to_string());
            }
            let (value, _) = self.json(&Call::get(url)).await?;
            let page = Reportee::list(&value);
            if page.is_empty() {
                break;
            }
            reportees.extend(page);
        }
        Ok(reportees)
    }
}

fn len_u32<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}
