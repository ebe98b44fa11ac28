//! The OpenAPI 3 document, generated from the route table so it always matches the routes.

use crate::routes::{Permission, table};
use axum::Json;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

fn obj(required: &[&str], props: Value) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

fn list_of(item: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}})
}

fn schemas() -> Value {
    let s = json!({"type": "string"});
    let d = json!({"type": "string", "format": "date"});
    let t = json!({"type": "string", "format": "date-time"});
    let i = json!({"type": "integer", "format": "int64"});
    let n = json!({"type": "number"});
    let b = json!({"type": "boolean"});
    json!({
        "Problem": obj(&["title", "status", "detail"], json!({
            "type": s, "title": s, "status": i, "detail": s,
            "errors": {"type": "array", "items": obj(&["field", "message"], json!({"field": s, "message": s}))}
        })),
        "OpenApi": {"type": "object", "description": "This document."},
        "Created": obj(&["id"], json!({"id": i})),
        "Municipality": obj(&["id", "name", "centroid"], json!({"id": i, "region_id": i, "region_name": s, "code": s, "name": s, "centroid": {"$ref": "#/components/schemas/GeoPoint"}})),
        "MunicipalityList": list_of("Municipality"),
        "Neighbourhood": obj(&["id", "municipality_id", "name", "centroid"], json!({"id": i, "municipality_id": i, "municipality_name": s, "code": s, "name": s, "centroid": {"$ref": "#/components/schemas/GeoPoint"}})),
        "NeighbourhoodList": list_of("Neighbourhood"),
        "GeoPoint": obj(&["lat", "lon"], json!({"lat": n, "lon": n})),
        "HouseRules": obj(&["women_only", "accessible", "pets_allowed"], json!({"women_only": b, "accessible": b, "pets_allowed": b})),
        "Home": obj(&["id", "name", "kind"], json!({
            "id": i, "name": s, "kind": {"type": "string", "enum": ["pitstop", "opvangwoning", "omklapwoning", "centrale_opvang"]},
            "address": s, "neighbourhood_id": i, "neighbourhood_name": s, "municipality_id": i, "municipality_name": s,
            "point": {"$ref": "#/components/schemas/GeoPoint"}, "rules": {"$ref": "#/components/schemas/HouseRules"},
            "max_stay_months": i, "landlord": s
        })),
        "HomeList": {"type": "array", "items": obj(&["home", "places", "free_places"], json!({"home": {"$ref": "#/components/schemas/Home"}, "places": i, "free_places": i}))},
        "HomeDetail": obj(&["home", "places"], json!({"home": {"$ref": "#/components/schemas/Home"}, "places": {"type": "array", "items": {"type": "object"}}})),
        "NewHome": obj(&["name", "kind", "address", "neighbourhood_id", "places"], json!({
            "name": s, "kind": s, "address": s, "neighbourhood_id": i, "lat": n, "lon": n,
            "women_only": b, "accessible": b, "pets_allowed": b, "max_stay_months": i, "landlord": s, "places": i
        })),
        "NewBlock": obj(&["from", "reason"], json!({"from": d, "until": d, "reason": s})),
        "NewReferral": obj(&["first_name", "last_name", "gender", "household_size", "own_municipality_id", "source", "urgency", "situation"], json!({
            "first_name": s, "last_name": s, "gender": {"type": "string", "enum": ["vrouw", "man", "anders", "onbekend"]},
            "date_of_birth": d, "bsn": s, "phone": s, "household_size": i,
            "needs_accessible": b, "needs_pets": b, "needs_women_only": b,
            "own_municipality_id": i, "own_neighbourhood_id": i,
            "avoid_municipality_ids": {"type": "array", "items": i}, "avoid_neighbourhood_ids": {"type": "array", "items": i},
            "source": {"type": "string", "enum": ["sociaal_team", "gemeente", "woningcorporatie", "politie", "huisarts", "ggz", "reclassering", "zelfmelder", "anders"]},
            "urgency": {"type": "string", "enum": ["normaal", "hoog", "acuut"]}, "situation": s
        })),
        "Referral": obj(&["id", "person_id", "state", "received_at"], json!({
            "id": i, "person_id": i, "person_name": s, "own_municipality_name": s, "source": s, "urgency": s, "situation": s,
            "received_at": t, "state": {"type": "string", "enum": ["received", "placed", "advised_elsewhere", "withdrawn"]},
            "closed_at": t, "close_reason": s, "no_place_in_own_area": b
        })),
        "ReferralList": list_of("Referral"),
        "Proposal": obj(&["rank", "home", "proximity", "distance_km", "places", "explanation"], json!({
            "rank": i, "home": i, "home_name": s, "kind": s, "municipality_name": s, "neighbourhood_name": s,
            "proximity": {"type": "string", "enum": ["own_neighbourhood", "own_municipality", "elsewhere"]},
            "distance_km": n, "free_places": i, "places": {"type": "array", "items": i}, "explanation": s
        })),
        "Ranking": obj(&["referral_id", "no_place_in_own_area", "proposals"], json!({
            "referral_id": i, "state": s, "no_place_in_own_area": b, "proposals": list_of("Proposal"),
            "excluded": {"type": "array", "items": obj(&["home_id", "home_name", "reason", "label"], json!({"home_id": i, "home_name": s, "reason": s, "label": s}))}
        })),
        "PlacementRequest": obj(&["home_id"], json!({"home_id": i})),
        "CloseReferral": obj(&["state"], json!({"state": {"type": "string", "enum": ["advised_elsewhere", "withdrawn"]}, "reason": s})),
        "Person": obj(&["id", "first_name", "last_name"], json!({
            "id": i, "first_name": s, "last_name": s, "gender": s, "date_of_birth": d, "phone": s, "household": i,
            "needs": obj(&[], json!({"accessible": b, "pets": b, "women_only": b})),
            "own_municipality_id": i, "own_municipality_name": s, "own_neighbourhood_id": i, "own_neighbourhood_name": s,
            "own_point": {"$ref": "#/components/schemas/GeoPoint"}, "avoid": {"type": "array", "items": {"type": "object"}}, "avoid_names": {"type": "array", "items": s}
        })),
        "Stay": obj(&["id", "person_id", "home_id", "start", "planned_end", "clock", "milestones"], json!({
            "id": i, "person_id": i, "person_name": s, "home_id": i, "home_name": s, "home_kind": s, "municipality_name": s,
            "referral_id": i, "start": d, "planned_end": d, "placed_at": t, "proximity": s, "distance_km": n,
            "ready_on": d, "exit_date": d, "destination": s, "exit_reason": s, "extensions": i, "places": s,
            "clock": obj(&["day", "days_left", "overdue", "waiting_for_housing_days"], json!({"day": i, "days_left": i, "overdue": b, "waiting_for_housing_days": i})),
            "milestones": {"type": "array", "items": obj(&["milestone", "status"], json!({"milestone": s, "label": s, "status": {"type": "string", "enum": ["done", "upcoming", "due_soon", "overdue"]}, "due": d, "on": d}))}
        })),
        "StayList": list_of("Stay"),
        "Exit": obj(&["exit_date", "destination"], json!({"exit_date": d, "destination": {"type": "string", "enum": ["own_rented_home", "own_lease_via_flip", "family_or_friends", "protected_housing", "clinic", "detention", "central_shelter", "other_temporary", "street", "unknown", "deceased"]}, "reason": s})),
        "Extension": obj(&["decided_by", "reason", "new_end"], json!({"decided_by": s, "reason": s, "new_end": d})),
        "Ready": obj(&["ready_on"], json!({"ready_on": d})),
        "MilestoneDone": obj(&["milestone"], json!({"milestone": {"type": "string", "enum": ["plan", "evaluation", "exit_preparation"]}, "done_on": d})),
        "Dashboard": {"type": "object", "description": "Free places per municipality and home, stays by milestone, breaches and no-place events this month."}
    })
}

/// The OpenAPI document as JSON.
pub fn document_value() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in table().routes.iter() {
        let Some(doc) = r.api else { continue };
        let mut op = json!({
            "summary": r.summary,
            "tags": [doc.tag],
            "x-access": r.access,
            "x-person-data": r.person_data(),
            "responses": {
                doc.status.to_string(): {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", doc.response)}}}
                },
                "default": {
                    "description": "Problem",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                }
            }
        });
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(req) = doc.request {
            op["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{req}")}}}
            });
        }
        if r.access == Permission::Public {
            op["security"] = json!([]);
        }
        let entry = paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[r.method.as_str().to_lowercase()] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Nabij API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Temporary housing in the own neighbourhood: referrals, instant placement, the six-month stay and exit. Errors are application/problem+json; messages meant for users are Dutch."
        },
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A personal API key (nbj_…), made under Account → API-sleutels; it acts with the user's role."}}
        }
    })
}

pub async fn document() -> impl IntoResponse {
    Json(document_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.trim_start_matches("#/components/schemas/").to_string());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_api_route_is_documented_and_every_reference_resolves() {
        let doc = document_value();
        let routes = table().routes;
        for r in routes.iter().filter(|r| r.api.is_some()) {
            let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
            assert!(
                op.is_object(),
                "{} {} missing from OpenAPI",
                r.method,
                r.path
            );
            for seg in r.path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(['{', '}']);
                assert!(
                    op["parameters"]
                        .as_array()
                        .is_some_and(|p| p.iter().any(|x| x["name"] == name)),
                    "{} lacks parameter {name}",
                    r.path
                );
            }
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(
            documented,
            routes.iter().filter(|r| r.api.is_some()).count()
        );
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in all {
            assert!(
                doc["components"]["schemas"][&r].is_object(),
                "unresolved $ref {r}"
            );
        }
    }
}
