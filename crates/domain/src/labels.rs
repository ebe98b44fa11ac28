//! Dutch names of the domain's enums, as users read them. The one place for those words.

/// Implemented by every enum with a Dutch label.
pub trait Label {
    fn label(&self) -> &'static str;
}

macro_rules! labels {
    ($($ty:path { $($variant:ident => $label:literal),* $(,)? })*) => {$(
        impl Label for $ty {
            fn label(&self) -> &'static str {
                use $ty as T;
                match self { $(T::$variant => $label),* }
            }
        }
    )*};
}

labels! {
    crate::access::Role {
        Coordinator => "coördinator",
        Professional => "begeleider",
        MainResident => "hoofdbewoner",
        Buddy => "maatje",
        Partner => "ketenpartner",
        Admin => "beheerder",
        Client => "cliënt",
    }
    crate::access::AuditAction {
        View => "ingezien",
        Create => "aangemaakt",
        Change => "gewijzigd",
        Export => "geëxporteerd",
        Print => "afgedrukt",
        Anonymise => "geanonimiseerd",
    }
    crate::access::DataCategory {
        File => "dossier",
        Referral => "aanmelding",
        Stay => "verblijf",
        Overview => "overzicht",
        Residents => "bewoners van het huis",
        AccessLog => "toegangslog",
        Consent => "toestemming",
        Guidance => "begeleiding",
        ContactLog => "contactlog",
        Plan => "plan van aanpak",
        Zrm => "zelfredzaamheid (ZRM)",
        Signal => "signalering",
        BuddyMatch => "maatjeskoppeling",
        Outflow => "uitstroom en woningaanbod",
    }
    crate::access::Purpose {
        Referral => "aanmelding en plaatsing",
        Housing => "huisvesting",
        CareCoordination => "zorgcoördinatie",
    }
    crate::home::HomeKind {
        Pitstop => "Pitstop",
        ShelterHome => "Opvangwoning",
        FlipHome => "Omklapwoning",
        CentralShelter => "Centrale opvang",
    }
    crate::person::Gender {
        Woman => "vrouw",
        Man => "man",
        Other => "anders",
        Unknown => "onbekend",
    }
    crate::referral::ReferralSource {
        SocialTeam => "Sociaal team",
        Municipality => "Gemeente",
        HousingCorporation => "Woningcorporatie (dreigende huisuitzetting)",
        Police => "Politie",
        GeneralPractitioner => "Huisarts",
        MentalHealth => "GGZ",
        Probation => "Reclassering",
        SelfReferral => "Zelfmelder",
        Other => "Anders",
    }
    crate::referral::Urgency {
        Normal => "normaal",
        High => "hoog",
        Crisis => "acuut",
    }
    crate::referral::ReferralState {
        Received => "ontvangen",
        Placed => "geplaatst",
        AdvisedElsewhere => "elders geadviseerd",
        Withdrawn => "ingetrokken",
    }
    crate::stay::Milestone {
        RecoveryPlan => "Plan van aanpak (2 weken)",
        Evaluation => "Evaluatie (3 maanden)",
        ExitPreparation => "Uitstroomvoorbereiding (5 maanden)",
    }
    crate::stay::Destination {
        OwnRentedHome => "Eigen huurwoning",
        OwnLeaseViaFlip => "Eigen huurcontract via omklap",
        FamilyOrFriends => "Bij familie of vrienden",
        ProtectedHousing => "Beschermd wonen / andere zorg",
        Clinic => "Kliniek",
        Detention => "Detentie",
        CentralShelter => "Centrale opvang",
        OtherTemporary => "Andere tijdelijke plek",
        Street => "Straat",
        Unknown => "Onbekend",
        Deceased => "Overleden",
    }
    crate::stay::DestinationClass {
        Permanent => "Permanent",
        Institutional => "Instelling",
        Temporary => "Tijdelijk",
        HomelessOrUnknown => "Dakloos / onbekend",
        Deceased => "Overleden",
    }
    crate::signal::SignalCategory {
        Wellbeing => "welzijn",
        Conflict => "conflict",
        SubstanceUse => "middelengebruik",
        Absence => "afwezigheid",
        RentDebt => "huur/schulden",
        Safety => "veiligheid",
        Other => "overig",
    }
    crate::signal::Urgency {
        Low => "laag",
        Normal => "normaal",
        High => "hoog",
        Acute => "acuut",
    }
    crate::signal::SignalStatus {
        Received => "ontvangen",
        Acknowledged => "opgepakt",
        Closed => "afgesloten",
    }
    crate::buddy::Interest {
        Sport => "sport",
        Music => "muziek",
        Cooking => "koken",
        Walking => "wandelen",
        Creative => "creatief",
        Paperwork => "administratie",
        Language => "taal",
        Games => "spelletjes",
        Nature => "natuur",
        Other => "anders",
    }
    crate::buddy::MatchPurpose {
        Hobby => "hobby",
        Paperwork => "administratie",
        Company => "gezelschap",
    }
    crate::buddy::BuddyStatus {
        Active => "actief",
        Paused => "gepauzeerd",
    }
    crate::placement::Proximity {
        OwnNeighbourhood => "eigen buurt",
        OwnMunicipality => "eigen gemeente",
        Elsewhere => "elders",
    }
}

labels! {
    crate::guidance::ZrmDomain {
        Finances => "Financiën",
        WorkEducation => "Werk & opleiding",
        TimeUse => "Tijdsbesteding",
        Housing => "Huisvesting",
        DomesticRelations => "Huiselijke relaties",
        MentalHealth => "Geestelijke gezondheid",
        PhysicalHealth => "Lichamelijke gezondheid",
        SubstanceUse => "Middelengebruik",
        BasicAdl => "Basale ADL",
        InstrumentalAdl => "Instrumentele ADL",
        SocialNetwork => "Sociaal netwerk",
        SocialParticipation => "Maatschappelijke participatie",
        Justice => "Justitie",
    }
    crate::guidance::ZrmMoment {
        Intake => "intake",
        Periodic => "periodiek",
        Exit => "uitstroom",
    }
    crate::guidance::GoalStatus {
        Open => "open",
        InProgress => "bezig",
        Achieved => "behaald",
        Stopped => "gestopt",
    }
    crate::guidance::GoalOwner {
        Person => "cliënt zelf",
        Professional => "begeleider",
        Buddy => "maatje",
    }
    crate::guidance::ContactKind {
        HomeVisit => "huisbezoek",
        Phone => "telefonisch",
        PartnerMeeting => "overleg met partners",
        Other => "anders",
    }
}

/// Formats a distance the Dutch way: "3,4 km".
pub fn km(distance: f64) -> String {
    format!("{:.1} km", distance).replace('.', ",")
}

/// Formats a date the Dutch way: "3 feb 2026".
pub fn date(d: jiff::civil::Date) -> String {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[(d.month() - 1) as usize],
        d.year()
    )
}

/// "1 dag", "3 dagen".
pub fn days(n: i64) -> String {
    if n == 1 || n == -1 {
        format!("{n} dag")
    } else {
        format!("{n} dagen")
    }
}

/// Counts below five identify people in small homes; shown to partners as "<5".
pub fn small_count(n: i64) -> String {
    if (1..5).contains(&n) {
        "<5".to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_formats() {
        assert_eq!(km(3.456), "3,5 km");
        assert_eq!(date(jiff::civil::date(2026, 2, 3)), "3 feb 2026");
        assert_eq!(days(1), "1 dag");
        assert_eq!(days(14), "14 dagen");
        assert_eq!(small_count(3), "<5");
        assert_eq!(small_count(0), "0");
        assert_eq!(small_count(5), "5");
        assert_eq!(
            crate::stay::Destination::OwnLeaseViaFlip.label(),
            "Eigen huurcontract via omklap"
        );
    }
}

labels! {
    crate::outflow::PartnerKind {
        Municipality => "Gemeente",
        SocialTeam => "Sociaal team",
        HousingCorporation => "Woningcorporatie",
        CareProvider => "Zorgaanbieder",
        Other => "Overig",
    }
    crate::outflow::PartnerField {
        Name => "naam",
        ReferralStatus => "status van de aanmelding",
        ReadyOn => "uitstroomklaar sinds",
        HouseholdSize => "grootte huishouden",
        HousingNeeds => "woonwensen en -behoeften",
        ExitDate => "vertrekdatum",
        ProfessionalName => "naam begeleider",
        ProfessionalPhone => "telefoon begeleider",
        PlanGoals => "doelen van het plan",
    }
    crate::outflow::OfferState {
        Open => "te koppelen",
        Proposed => "voorgesteld",
        Accepted => "geaccepteerd",
        Withdrawn => "ingetrokken",
    }
    crate::outflow::Answer {
        Accepted => "geaccepteerd",
        Declined => "geweigerd",
    }
    crate::outflow::Nearness {
        OwnNeighbourhood => "eigen buurt",
        OwnMunicipality => "eigen gemeente",
        Elsewhere => "elders",
    }
    crate::outflow::FlipState {
        Requested => "aangevraagd",
        InUse => "in gebruik",
        FlipReview => "beoordeling omklap",
        Flipped => "omgeklapt",
    }
    crate::outflow::Criterion {
        RentPaid => "huur op tijd betaald",
        NoNuisance => "geen overlast",
        GoalsMet => "woon- en financiële doelen gehaald",
        CorporationAgrees => "corporatie akkoord",
    }
}
