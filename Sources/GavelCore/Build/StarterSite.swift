/// `gavel init`: a starter site that checks and builds as written. It holds what every NextGen court
/// shares (the questions and the four standard steps of SPEC section 1) and one court and one notice
/// whose names, dates and contacts are placeholders, said to be so on the pages themselves so that
/// they cannot be published unnoticed.
public enum StarterSite {
    /// The files, by path inside the new site folder. `today` dates the notice.
    public static func files(today: LocalDate) -> [(path: String, bytes: [UInt8])] {
        [
            (".gitignore", gitignore),
            ("Content/site.yml", site),
            ("Content/facts.yml", facts),
            ("Content/steps/individual-pacer-account.md", individualAccount),
            ("Content/steps/upgrade-legacy-account.md", upgradeLegacy),
            ("Content/steps/know-cmecf-login.md", knowLogin),
            ("Content/steps/link-accounts.md", linkAccounts),
            ("Content/courts/example/court.yml", court),
            ("Content/courts/example/notices/nextgen-is-coming.md", notice(today: today)),
        ].map { ($0.0, Array($0.1.utf8)) }
    }

    static let gitignore = """
    # What `gavel build` writes: the site, and its state kept beside it to make rebuilds quick.
    /Output/
    /.Output.gavel-*

    """

    static let site = """
    # The site as a whole. Search for PLACEHOLDER: each such value must be replaced before publishing.
    title: "NextGen CM/ECF Readiness"
    base_url: "https://nextgen.example.gov/"   # PLACEHOLDER: the address the site is published at
    language: "en-US"
    description: >-
      Notices, key dates and a private checklist that helps attorneys get their PACER and
      CM/ECF accounts ready for the move to NextGen CM/ECF.
    allow_raw_html: false
    navigation:
      - title: "Home"
        url: "/"
      - title: "Checklist"
        url: "/checklist/"
      - title: "Search"
        url: "/search/"

    """

    static let facts = """
    # The questions the checklist may ask. Person-scoped facts are asked once for all courts;
    # court-scoped ones are asked for each court. Ticks (done.<step-id>) need no entry here.

    - id: pacer.kind
      type: choice
      question: "What kind of PACER account do you log in with?"
      help: >-
        An individual account is yours alone, in your own name. A shared firm account is one
        login used by several people. Choose "none" if you have never registered with PACER.
      label: "the kind of PACER account you use"
      options:
        - individual
        - shared_firm
        - none
      scope: person

    - id: pacer.created
      type: date
      question: "When was your PACER account opened?"
      help: >-
        A rough date is enough if it is clearly before or after August 11, 2014.
      label: "the date your PACER account was opened"
      scope: person

    - id: pacer.upgraded
      type: boolean
      question: "Does PACER's Manage My Account page call your account Upgraded?"
      help: >-
        "Upgraded PACER Account" means yes; "Legacy PACER Account" means no.
      label: "whether your PACER account is upgraded"
      scope: person

    - id: cmecf.knows_login
      type: boolean
      question: "Do you know your current CM/ECF login and password for this court?"
      help: >-
        You type both once more when you link accounts. A password only your browser
        remembers may not survive the move.
      label: "whether you know your CM/ECF login and password for this court"
      scope: court

    """

    static let individualAccount = """
    ---
    id: individual-pacer-account
    title: "Have an individual PACER account"
    summary: "NextGen files under the PACER account of the person filing, so it must be yours alone."
    scope: person
    requires: []
    done_if: 'pacer.kind == "individual"'
    learn_more:
      - title: "Get ready for NextGen CM/ECF (PACER)"
        url: "https://pacer.uscourts.gov/file-case/get-ready-nextgen-cmecf"
    ---

    In NextGen CM/ECF your PACER account is who you are when you file. A login shared across an
    office does not count: register an individual account in your own name on the PACER website,
    with your own email address. One account serves every NextGen court; you register once.

    """

    static let upgradeLegacy = """
    ---
    id: upgrade-legacy-account
    title: "Upgrade a legacy PACER account"
    summary: "PACER accounts opened before August 11, 2014 must be upgraded before they can be linked."
    scope: person
    requires:
      - individual-pacer-account
    applies_if: pacer.created < 2014-08-11
    done_if: pacer.upgraded
    ---

    Accounts opened before **August 11, 2014** are *legacy* accounts. Log in to *Manage My
    Account* on the PACER website, choose **Upgrade** next to the account type, check your
    details and submit. The upgrade keeps your account and its history; it is done once for all
    courts.

    """

    static let knowLogin = """
    ---
    id: know-cmecf-login
    title: "Know your CM/ECF login and password"
    summary: "Linking asks for this court's CM/ECF login and password one last time."
    scope: court
    requires: []
    done_if: cmecf.knows_login
    due_by: court.go_live
    ---

    Log in to {{court.short_name}}'s current CM/ECF system once to make sure your login and
    password still work. If they do not, ask the clerk's office for a reset before go-live:
    {{court.contacts.0.label}}, {{court.contacts.0.phone}}.

    """

    static let linkAccounts = """
    ---
    id: link-accounts
    title: "Link your PACER and CM/ECF accounts"
    summary: "On or after go-live, join your upgraded PACER account to your CM/ECF account in this court."
    scope: court
    requires:
      - individual-pacer-account
      - upgrade-legacy-account
      - know-cmecf-login
    available_from: court.go_live
    ---

    Linking opens when {{court.short_name}} goes live on NextGen, not before. Log in to the
    court's NextGen CM/ECF site with your PACER account, choose the option to link your CM/ECF
    account, and enter your old CM/ECF login and password. From then on you file here with your
    PACER login.

    """

    static let court = """
    # One court; its id is its folder's name (rename the folder to change it). Every value marked
    # PLACEHOLDER is invented and must be replaced. Times are local to the court's time zone.
    id: example
    name: "United States District Court for the District of Example (PLACEHOLDER)"   # PLACEHOLDER
    short_name: "Example Court (PLACEHOLDER)"   # PLACEHOLDER
    kind: district          # district | bankruptcy | appellate | national
    timezone: America/New_York   # PLACEHOLDER: the court's IANA time zone
    go_live: "2030-01-07T08:00"  # PLACEHOLDER: leave out until the court has a date
    downtime: []
    contacts:
      - label: "Clerk's office (PLACEHOLDER)"   # PLACEHOLDER: every field of this contact
        phone: "(555) 010-0000"
        email: "clerk@example.gov"
        hours: "Monday to Friday, 8:30 a.m. to 4:30 p.m."
    checklist:
      - individual-pacer-account
      - upgrade-legacy-account
      - know-cmecf-login
      - link-accounts

    """

    static func notice(today: LocalDate) -> String {
        """
        ---
        title: "NextGen CM/ECF is coming (PLACEHOLDER)"
        date: "\(today)"
        summary: "This court moves to NextGen CM/ECF on {{court.go_live}}. Get your accounts ready now."
        tags: [nextgen]
        ---

        **PLACEHOLDER:** this notice was written by `gavel init`; replace it with the court's own.

        {{court.name}} moves to NextGen CM/ECF on {{court.go_live}}. Work through the
        [checklist](/courts/example/checklist/) before that day. Questions: {{court.contacts.0.label}},
        {{court.contacts.0.phone}}.

        """
    }
}
