//! Typed ids, so a place id can never be passed where a home id is expected.

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    RegionId,
    MunicipalityId,
    NeighbourhoodId,
    HomeId,
    PlaceId,
    PersonId,
    ReferralId,
    StayId,
    OrganisationId,
    UserId,
    BlockId,
    ConsentId,
    ApiTokenId,
);
