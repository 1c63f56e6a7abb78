//! The OpenAPI 3.1 document: generated from the same list of routes the
//! router serves, with the error answers every operation can give.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sijil API",
        description = "Records and figures for community psychosocial programmes. Every error answer is \
                       `{ \"error\": code, \"message\": …, \"fields\": … }` with a code from `ErrorCode`."
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorCode,
        crate::refusal::Refusal,
        crate::refusal::RefusalCode
    ))
)]
pub struct ApiDoc;

/// Completes the document once the router has added every route to it.
pub fn complete(doc: &mut Document) {
    ErrorAnswers.modify(doc);
}

/// Adds to every operation the error answers any of them can give, so a
/// client (or a property-based test) never meets a status the document
/// does not list: a malformed request (400), no session (401), a role or
/// scope that may not (403), something unknown (404), a refused text or
/// value (422), a server failure (500); and for requests with a body, a
/// clash with what is stored (409), a body too large (413) or not JSON (415).
struct ErrorAnswers;

const EVERY_OPERATION: [(&str, &str); 6] = [
    (
        "400",
        "Malformed request: a query, path or body that cannot be read",
    ),
    ("401", "Not signed in, or the session ended"),
    (
        "403",
        "This role or scope may not do this, or the request came from another site",
    ),
    ("404", "Not found in the caller's scope"),
    ("422", "Refused: the reasons per field are in `fields`"),
    ("500", "Server failure; the log says which step failed"),
];

const WITH_A_BODY: [(&str, &str); 3] = [
    ("409", "Clashes with what is stored"),
    ("413", "The body is larger than this route accepts"),
    ("415", "The body is not sent as application/json"),
];

impl Modify for ErrorAnswers {
    fn modify(&self, doc: &mut Document) {
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let writes = op.request_body.is_some();
                add_missing(op, &EVERY_OPERATION);
                if writes {
                    add_missing(op, &WITH_A_BODY);
                }
            }
        }
    }
}

fn add_missing(op: &mut Operation, answers: &[(&str, &str)]) {
    for (status, description) in answers {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_answer(description)));
    }
}

fn error_answer(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
}
