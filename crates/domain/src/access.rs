//! Who may see what: roles, and the words of the access log (NEN 7513).

use crate::code_enum;

code_enum! {
    /// A user's role; what each needs is in the domain model, §2.
    Role {
        Coordinator = "coordinator",
        Professional = "professional",
        MainResident = "main_resident",
        Buddy = "buddy",
        Partner = "partner",
        Admin = "admin",
        Client = "client",
    }
}

code_enum! {
    /// What was done with a person's data.
    AuditAction {
        View = "view",
        Create = "create",
        Change = "change",
        Export = "export",
        Print = "print",
        Anonymise = "anonymise",
    }
}

code_enum! {
    /// Which of a person's data was touched: `file` (name, contact, BSN, household, needs,
    /// areas to avoid), `referral` (with its situation text), `stay` (place, clock,
    /// milestones, extensions, exit), `overview` (a name in a list), `residents` (what a main
    /// resident sees of the residents of their house), `access_log` (who looked at a file),
    /// `consent` (what a person allows partners to see), `guidance` (episodes and their intensity),
    /// `contact_log` (the professionals' reports), `plan` (recovery goals), `zrm` (assessments),
    /// `signal` (a concern filed about a resident), `buddy_match` (a resident's buddy, their wish,
    /// check-ins and whether the buddy may have their number), `outflow` (housing offers and the
    /// lease flip of an omklapwoning).
    DataCategory {
        File = "file",
        Referral = "referral",
        Stay = "stay",
        Overview = "overview",
        Residents = "residents",
        AccessLog = "access_log",
        Consent = "consent",
        Guidance = "guidance",
        ContactLog = "contact_log",
        Plan = "plan",
        Zrm = "zrm",
        Signal = "signal",
        BuddyMatch = "buddy_match",
        Outflow = "outflow",
    }
}

code_enum! {
    /// What a person consents to share with a partner for.
    Purpose {
        Referral = "referral",
        Housing = "housing",
        CareCoordination = "care_coordination",
    }
}

impl Role {
    /// Roles that must confirm a second factor to sign in.
    pub fn needs_second_factor(self) -> bool {
        self == Role::Admin
    }
}
