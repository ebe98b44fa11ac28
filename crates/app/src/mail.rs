//! E-mail notices: "there is a signal for you", with a link, and nothing more.
//!
//! **The rule of this area:** a mail carries no care data. It never names the resident, the
//! house, the category or the text of a signal; it says that a signal waits (and how urgent
//! it is) and links to it, behind sign-in. Mail leaves through a queue and one background
//! sender, so a slow or unreachable SMTP relay never delays filing a signal; a mail that
//! cannot be delivered is logged and dropped, the signal itself is stored either way.
//!
//! Nabij hands its mail to an SMTP relay over plain SMTP (the host's own mail server or one
//! on a trusted network), which takes it further with TLS: see
//! `docs/adr/0007-mail-through-a-relay.md`.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use nabij_domain::labels::Label;
use nabij_domain::signal::Urgency;
use tokio::sync::mpsc;

/// Mails waiting for the sender at most; beyond this a notice is dropped (and logged).
const QUEUE: usize = 1_000;

/// Where mail goes (`[mail]` in the configuration).
#[derive(Clone)]
pub struct MailSettings {
    /// The SMTP relay: `localhost` or a host on a trusted network.
    pub host: String,
    pub port: u16,
    /// The sender, e.g. `Nabij <nabij@example.org>`.
    pub from: String,
    /// The address users open Nabij at, for the link in a mail: `https://nabij.example.org`.
    pub base_url: String,
    /// Only for a relay that asks for them.
    pub username: Option<String>,
    pub password: Option<String>,
    /// How long one delivery may take before it is given up.
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl MailSettings {
    /// Checks the settings: a readable sender address, a base URL with a scheme and a host.
    pub fn check(&self) -> Result<(), String> {
        if self.host.trim().is_empty() {
            return Err("mail.host is empty".into());
        }
        self.from
            .parse::<Mailbox>()
            .map_err(|e| format!("mail.from is not an e-mail address: {e}"))?;
        let base = self.base_url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://"))
            || base.split_once("://").is_none_or(|(_, h)| h.is_empty())
        {
            return Err("mail.base_url must be like https://nabij.example.org".into());
        }
        if self.username.is_some() != self.password.is_some() {
            return Err("mail.username and mail.password go together".into());
        }
        Ok(())
    }
}

/// One mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// The door to the sender: cheap to clone, never blocks.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Notice>,
    base_url: String,
}

impl Outbox {
    /// Starts the sender on the current Tokio runtime.
    pub fn start(settings: MailSettings) -> Outbox {
        let (tx, rx) = mpsc::channel(QUEUE);
        let base_url = settings.base_url.trim_end_matches('/').to_owned();
        tokio::spawn(send_all(settings, rx));
        Outbox { tx, base_url }
    }

    /// Queues a mail; a full queue drops it with a warning rather than wait.
    pub fn queue(&self, notice: Notice) {
        if let Err(e) = self.tx.try_send(notice) {
            tracing::warn!(error = %e, "mail queue full or closed; notice dropped");
        }
    }

    /// The link to a signal.
    pub fn signal_link(&self, id: i64) -> String {
        format!("{}/signalen/{id}", self.base_url)
    }

    /// The link to a housing offer.
    pub fn offer_link(&self, id: i64) -> String {
        format!("{}/woningaanbod/{id}", self.base_url)
    }
}

/// The addresses of the organisation's coordinators who have one.
pub(crate) async fn coordinator_emails(
    app: &crate::App,
    organisation: i64,
) -> nabij_store::Result<Vec<String>> {
    let ids = app.db.coordinator_ids(organisation).await?;
    app.db.emails_of(&ids).await
}

/// The notice that a signal is routed to the reader: its urgency and a link, nothing more.
pub fn signal_routed(to: &str, urgency: Urgency, link: &str) -> Notice {
    Notice {
        to: to.to_owned(),
        subject: format!("Nabij: nieuw signaal (urgentie {})", urgency.label()),
        body: format!(
            "Er is een nieuw signaal voor je in Nabij, urgentie {}.\r\n\r\n\
             Bekijk en pak het op na inloggen:\r\n{link}\r\n\r\n\
             Deze e-mail bevat bewust geen gegevens over bewoners.\r\n",
            urgency.label()
        ),
    }
}

/// The notice to a coordinator that a signal was not acknowledged in time.
pub fn signal_escalated(to: &str, link: &str) -> Notice {
    Notice {
        to: to.to_owned(),
        subject: "Nabij: signaal niet op tijd opgepakt".into(),
        body: format!(
            "Een signaal is niet binnen de norm opgepakt en staat nu bij de coördinatoren.\r\n\r\n\
             Bekijk het na inloggen:\r\n{link}\r\n\r\n\
             Deze e-mail bevat bewust geen gegevens over bewoners.\r\n"
        ),
    }
}

/// The notice to a coordinator that a corporation moved the key date of an accepted offer.
pub fn key_date_changed(to: &str, link: &str) -> Notice {
    Notice {
        to: to.to_owned(),
        subject: "Nabij: sleuteldatum verzet door de corporatie".into(),
        body: format!(
            "Een woningcorporatie heeft de sleuteldatum van een geaccepteerd woningaanbod verzet; \
             het verblijf loopt door tot de nieuwe datum.\r\n\r\n\
             Bekijk het na inloggen:\r\n{link}\r\n\r\n\
             Deze e-mail bevat bewust geen gegevens over bewoners.\r\n"
        ),
    }
}

async fn send_all(settings: MailSettings, mut rx: mpsc::Receiver<Notice>) {
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            .port(settings.port)
            .timeout(Some(settings.timeout));
    if let (Some(u), Some(p)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    let transport = builder.build();
    let from: Mailbox = match settings.from.parse() {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "mail.from is not an address; no mail is sent");
            return;
        }
    };
    while let Some(notice) = rx.recv().await {
        let to: Mailbox = match notice.to.parse() {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "a user's e-mail address is not valid; notice dropped");
                continue;
            }
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(notice.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(notice.body);
        let message = match message {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "notice could not be built; dropped");
                continue;
            }
        };
        match transport.send(message).await {
            Ok(_) => tracing::debug!("signal notice sent"),
            Err(e) => tracing::warn!(
                error = %e,
                host = %settings.host,
                port = settings.port,
                "signal notice not delivered to the mail relay; the signal itself is stored"
            ),
        }
    }
}

/// Checks an e-mail address as an administrator types it; `None` for empty.
pub fn parse_address(raw: &str) -> Result<Option<String>, nabij_domain::RuleViolation> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        nabij_domain::RuleViolation::new(
            "email",
            "vul een geldig e-mailadres in, zoals naam@organisatie.nl, of laat het leeg",
        )
    };
    if s.len() > 254 || s.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    match s.parse::<lettre::Address>() {
        Ok(a) if a.domain().contains('.') => Ok(Some(s.to_lowercase())),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_with_a_dutch_reason() {
        assert_eq!(parse_address("  ").unwrap(), None);
        assert_eq!(
            parse_address(" Anna@Pitstop.nl ").unwrap().as_deref(),
            Some("anna@pitstop.nl")
        );
        for bad in [
            "anna",
            "anna@",
            "@pitstop.nl",
            "anna@pitstop",
            "an na@pitstop.nl",
        ] {
            let e = parse_address(bad).unwrap_err();
            assert_eq!(e.field, "email");
            assert!(e.message.contains("geldig e-mailadres"), "{bad}");
        }
    }

    #[test]
    fn a_notice_names_no_one_and_links_to_the_signal() {
        let n = signal_routed("a@b.nl", Urgency::Acute, "https://nabij.nl/signalen/7");
        assert!(n.body.contains("https://nabij.nl/signalen/7"));
        assert!(n.subject.contains("acuut"));
        let e = signal_escalated("a@b.nl", "https://nabij.nl/signalen/7");
        assert!(e.body.contains("https://nabij.nl/signalen/7"));
    }

    #[test]
    fn settings_are_checked() {
        let ok = MailSettings {
            host: "localhost".into(),
            port: 25,
            from: "Nabij <nabij@example.org>".into(),
            base_url: "https://nabij.example.org/".into(),
            username: None,
            password: None,
            timeout: std::time::Duration::from_secs(10),
        };
        assert!(ok.check().is_ok());
        let mut bad = ok.clone();
        bad.from = "nabij".into();
        assert!(bad.check().is_err());
        let mut bad = ok.clone();
        bad.base_url = "nabij.example.org".into();
        assert!(bad.check().is_err());
        let mut bad = ok;
        bad.password = Some("x".into());
        assert!(bad.check().is_err());
        assert!(!format!("{bad:?}").contains("\"x\""));
    }
}
