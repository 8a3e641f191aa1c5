//! Routes and handlers of the Altinn 3 emulator, one file per resource.

mod actions;
mod auth;
mod data;
mod dialogporten;
mod http;
mod instances;
mod maskinporten;
mod process;
mod render;
mod signing;
mod storage;

/// What every handler file uses.
mod prelude {
    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::atomic::Ordering;
    pub(crate) use std::time::Instant;

    pub(crate) use axum::body::Bytes;
    pub(crate) use axum::extract::{Path, RawQuery, State};
    pub(crate) use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
    pub(crate) use axum::response::{IntoResponse, Response};
    pub(crate) use serde_json::{Value, json};

    pub(crate) use super::super::app_metadata::{self, DATA_TYPES_TO_SIGN, DataTypeSpec};
    pub(crate) use super::super::state::{Party, StoredData, StoredInstance};
    pub(crate) use super::super::{
        DOCUMENT_DATA_TYPE, GENERATED_PDF_DATA_TYPE, PROCESS, SIGNATURE_DATA_TYPE, Shared,
    };
    pub(crate) use crate::altinn::auth::{random_hex, unsigned_token};
    pub(crate) use crate::altinn::pdf;

    pub(crate) use super::actions::*;
    pub(crate) use super::auth::*;
    pub(crate) use super::data::*;
    pub(crate) use super::dialogporten::*;
    pub(crate) use super::http::*;
    pub(crate) use super::instances::*;
    pub(crate) use super::maskinporten::*;
    pub(crate) use super::process::*;
    pub(crate) use super::render::*;
    pub(crate) use super::signing::*;
    pub(crate) use super::storage::*;

    pub(crate) type Shr = State<Arc<Shared>>;
}

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, post, put};

pub(crate) use http::guid;
pub(crate) use maskinporten::MASKINPORTEN_PATH;

use prelude::*;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/authentication/api/v1/exchange/{provider}", get(exchange))
        .route("/maskinporten/token", post(maskinporten_token))
        .route("/{org}/{app}/instances", post(create_instance))
        .route("/{org}/{app}/instances/{party}/{guid}", get(get_instance))
        .route(
            "/{org}/{app}/instances/{party}/{guid}/process",
            get(get_process),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/process/next",
            put(process_next),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/actions",
            post(actions),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/signing",
            get(signing),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/signing/data-elements",
            get(signing_data_elements),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/signing/organizations",
            get(signing_organizations),
        )
        .route(
            "/dialogporten/api/v1/enduser/dialoglookup",
            get(dialog_lookup),
        )
        .route(
            "/{org}/{app}/api/v1/applicationmetadata",
            get(application_metadata),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/data",
            post(post_data_query),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/data/type/{data}",
            post(post_data_type),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/data/{data}",
            get(app_data)
                .post(post_data_type)
                .put(put_data)
                .merge(delete(delete_data)),
        )
        .route("/storage/api/v1/instances", get(storage_query))
        .route(
            "/storage/api/v1/instances/{party}/{guid}",
            get(storage_instance),
        )
        .route(
            "/storage/api/v1/instances/{party}/{guid}/data/{data}",
            get(storage_data),
        )
        .route("/dialogporten/api/v1/enduser/dialogs", get(search_dialogs))
        .route("/dialogporten/api/v1/enduser/dialogs/{id}", get(get_dialog))
        .with_state(shared)
}
