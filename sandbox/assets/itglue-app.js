// The IT Glue web app stand-in: its pages and routes. spa-kit.js renders each page after
// load from the sandbox's same-origin page data and moves between pages with
// history.pushState instead of page loads.
(function () {
  "use strict";

  var spa = window.SandboxSpa;
  var root = document.getElementById("itg-root");
  var sidebar = document.getElementById("itg-sidebar");
  if (!spa || !root || !sidebar) {
    return;
  }
  var h = spa.h;
  var text = spa.text;

  function link(href, label) {
    return h("a", { href: href }, text(label));
  }

  function orgHref(orgId, rest) {
    return "/" + encodeURIComponent(orgId) + (rest || "");
  }

  function panel(title, body, className) {
    return h("section", { className: "itg-panel" + (className ? " " + className : "") }, [
      h("h2", {}, title),
      h("div", { className: "itg-panel-body" }, body)
    ]);
  }

  function details(pairs) {
    var items = [];
    pairs.forEach(function (pair) {
      items.push(h("dt", {}, pair[0]));
      items.push(h("dd", {}, pair[1] instanceof Node ? pair[1] : text(pair[1])));
    });
    return h("dl", { className: "itg-details" }, items);
  }

  function table(columns, rows, empty) {
    if (!rows.length) {
      return h("p", { className: "itg-empty" }, empty);
    }
    return h("table", { className: "itg-table" }, [
      h("thead", {}, h("tr", {}, columns.map(function (column) { return h("th", {}, column[0]); }))),
      h("tbody", {}, rows.map(function (row) {
        return h("tr", {}, columns.map(function (column) {
          var value = column[1](row);
          return h("td", {}, value instanceof Node ? value : text(value));
        }));
      }))
    ]);
  }

  function psaPill(psa) {
    if (psa === "enabled") {
      return h("span", { className: "itg-pill itg-pill--psa" }, "Synced with PSA");
    }
    if (psa === "orphaned") {
      return h("span", { className: "itg-pill" }, "PSA link orphaned");
    }
    return null;
  }

  function title(name, extra) {
    return h("div", { className: "itg-org-header" }, [h("h1", {}, name), extra]);
  }

  // ------------------------------------------------------------------ Pages

  function organizationsPage(data) {
    return panel("Organizations", table([
      ["Name", function (o) { return link(orgHref(o.id), o.name); }],
      ["Type", function (o) { return o.kind; }],
      ["Status", function (o) { return o.status; }],
      ["PSA", function (o) { return psaPill(o.psaIntegration); }]
    ], data.rows, "No organizations."));
  }

  function organizationPage(org) {
    return [
      title(org.name, [
        h("span", { className: "itg-pill" }, text(org.kind)),
        h("span", { className: "itg-pill" }, text(org.status)),
        psaPill(org.psaIntegration)
      ]),
      // Quick notes are text here: the page never renders stored HTML.
      panel("Quick Notes", h("pre", { className: "itg-quick-notes" }, text(org.quickNotes))),
      panel("Details", details([
        ["Organization Type", org.kind],
        ["Organization Status", org.status],
        ["Short Name", org.shortName],
        ["Description", org.description],
        ["Alert", org.alert],
        ["Configurations", link(orgHref(org.id, "/configurations"), String(org.configurations))],
        ["Contacts", link(orgHref(org.id, "/contacts"), String(org.contacts))]
      ]))
    ];
  }

  function configurationsPage(data) {
    var orgId = data.organization.id;
    return [
      title("Configurations", h("span", { className: "itg-pill" }, data.total + " total")),
      panel(data.organization.name, table([
        ["Name", function (c) { return link(orgHref(orgId, "/configurations/" + c.id), c.name); }],
        ["Type", function (c) { return c.kind; }],
        ["Status", function (c) { return c.status; }],
        ["Hostname", function (c) { return c.hostname; }],
        ["Primary IP", function (c) { return c.primaryIp; }],
        ["Serial Number", function (c) { return c.serialNumber; }],
        ["PSA", function (c) { return psaPill(c.psaIntegration); }]
      ], data.rows, "No configurations."))
    ];
  }

  function configurationPage(c) {
    var orgId = c.organization.id;
    return [
      title(c.name, [h("span", { className: "itg-pill" }, text(c.kind)), h("span", { className: "itg-pill" }, text(c.status)), psaPill(c.psaIntegration)]),
      panel("Details", details([
        ["Organization", link(orgHref(orgId), c.organization.name)],
        ["Hostname", c.hostname],
        ["Primary IP", c.primaryIp],
        ["MAC Address", c.macAddress],
        ["Default Gateway", c.defaultGateway],
        ["Serial Number", c.serialNumber],
        ["Asset Tag", c.assetTag],
        ["Manufacturer", c.manufacturer],
        ["Model", c.model],
        ["Operating System", c.operatingSystem],
        ["Location", c.location],
        ["Contact", c.contact ? link(orgHref(orgId, "/contacts/" + c.contact.id), c.contact.name) : null],
        ["Purchased", c.purchasedAt],
        ["Warranty Expires", c.warrantyExpiresAt],
        ["Archived", c.archived ? "Yes" : "No"]
      ])),
      panel("Notes", h("pre", { className: "itg-quick-notes" }, text(c.notes))),
      panel("Interfaces", table([
        ["Name", function (i) { return i.name; }],
        ["IP Address", function (i) { return i.ipAddress; }],
        ["MAC Address", function (i) { return i.macAddress; }],
        ["Primary", function (i) { return i.primary ? "Yes" : "No"; }]
      ], c.interfaces, "No interfaces."))
    ];
  }

  function contactsPage(data) {
    var orgId = data.organization.id;
    return [
      title("Contacts", h("span", { className: "itg-pill" }, data.total + " total")),
      panel(data.organization.name, table([
        ["Name", function (c) { return link(orgHref(orgId, "/contacts/" + c.id), c.name); }],
        ["Title", function (c) { return c.title; }],
        ["Type", function (c) { return c.kind; }],
        ["Email", function (c) { return c.email; }],
        ["Phone", function (c) { return c.phone; }],
        ["PSA", function (c) { return psaPill(c.psaIntegration); }]
      ], data.rows, "No contacts."))
    ];
  }

  function labelled(items) {
    return items.length
      ? h("ul", { className: "itg-labelled" }, items.map(function (item) {
          return h("li", {}, [text(item.label), ": ", item.value, item.primary ? " (primary)" : ""]);
        }))
      : text(null);
  }

  function contactPage(c) {
    return [
      title(c.name, [c.important ? h("span", { className: "itg-pill itg-pill--important" }, "Important") : null, psaPill(c.psaIntegration)]),
      panel("Details", details([
        ["Organization", link(orgHref(c.organization.id), c.organization.name)],
        ["First Name", c.firstName],
        ["Last Name", c.lastName],
        ["Title", c.title],
        ["Contact Type", c.kind],
        ["Location", c.location],
        ["Emails", labelled(c.emails)],
        ["Phones", labelled(c.phones)]
      ])),
      panel("Notes", h("pre", { className: "itg-quick-notes" }, text(c.notes)))
    ];
  }

  // The organization's tickets: the BMS integration shows its ticket UI in this container.
  function ticketsPage(data) {
    var linked = Boolean(data.psaAccountId);
    return [
      title("Tickets", h("span", { className: "itg-pill itg-pill--psa" }, "Kaseya BMS")),
      panel(data.organization.name, h("div", {
        id: "itg-psa-tickets-root",
        className: "itg-psa-tickets-container",
        "data-organization-id": data.organization.id,
        "data-psa-integration": data.psaIntegrationType,
        "data-psa-account-id": data.psaAccountId
      }, h("p", { className: "itg-psa-tickets-placeholder" }, linked
        ? "Kaseya BMS tickets for this organization appear here."
        : "This organization is not synced with Kaseya BMS.")), "itg-psa-tickets")
    ];
  }

  // ------------------------------------------------------------------ Sidebar and routing

  var MENU = [
    ["overview", "Overview", ""],
    ["configurations", "Configurations", "/configurations"],
    ["contacts", "Contacts", "/contacts"],
    ["documents", "Documents", null],
    ["locations", "Locations", null],
    ["passwords", "Passwords", null],
    ["tickets", "Tickets", "/tickets"]
  ];

  function showSidebar(orgId, active) {
    if (!orgId) {
      sidebar.hidden = true;
      sidebar.replaceChildren();
      return;
    }
    sidebar.hidden = false;
    sidebar.replaceChildren(h("ul", { className: "itg-sidebar-menu" }, MENU.map(function (item) {
      return h("li", {}, h("a", {
        className: "itg-sidebar-item" + (item[0] === active ? " itg-sidebar-item--active" : ""),
        "data-menu": item[0],
        href: item[2] === null ? "#" : orgHref(orgId, item[2])
      }, item[1]));
    })));
  }

  var PAGES = {
    organizations: { data: function () { return "/_sandbox/page-data/organizations"; }, render: organizationsPage, title: function () { return "Organizations"; } },
    organization: { data: function (p) { return "/organizations/" + p.orgId; }, render: organizationPage, title: function (d) { return d.name; } },
    configurations: { data: function (p) { return "/organizations/" + p.orgId + "/configurations"; }, render: configurationsPage, title: function (d) { return d.organization.name + " - Configurations"; } },
    configuration: { data: function (p) { return "/organizations/" + p.orgId + "/configurations/" + p.id; }, render: configurationPage, title: function (d) { return d.name; } },
    contacts: { data: function (p) { return "/organizations/" + p.orgId + "/contacts"; }, render: contactsPage, title: function (d) { return d.organization.name + " - Contacts"; } },
    contact: { data: function (p) { return "/organizations/" + p.orgId + "/contacts/" + p.id; }, render: contactPage, title: function (d) { return d.name; } },
    tickets: { data: function (p) { return "/organizations/" + p.orgId + "/tickets"; }, render: ticketsPage, title: function (d) { return d.organization.name + " - Tickets"; } }
  };

  spa.start({
    root: root,
    titleSuffix: " | IT Glue",
    routes: [
      { template: "/", page: "organizations" },
      { template: "/{orgId}", page: "organization", menu: "overview" },
      { template: "/{orgId}/configurations", page: "configurations", menu: "configurations" },
      { template: "/{orgId}/configurations/{id}", page: "configuration", menu: "configurations" },
      { template: "/{orgId}/contacts", page: "contacts", menu: "contacts" },
      { template: "/{orgId}/contacts/{id}", page: "contact", menu: "contacts" },
      { template: "/{orgId}/tickets", page: "tickets", menu: "tickets" }
    ],
    load: function (m) {
      var path = PAGES[m.route.page].data(m.params);
      return path.indexOf("/_sandbox/") === 0 ? path : "/_sandbox/page-data" + path;
    },
    render: function (data, m) { return PAGES[m.route.page].render(data, m); },
    title: function (data, m) { return PAGES[m.route.page].title(data, m); },
    notFound: function () {
      return h("div", { className: "itg-not-found" }, [
        h("h1", {}, "Not found"),
        h("p", {}, "The page you were looking for doesn't exist. You may have mistyped the address or the page may have moved.")
      ]);
    },
    onRoute: function (m) { showSidebar(m ? m.params.orgId : null, m ? m.route.menu : null); },
    // Organization pages only: /login, /jwt/token and the like load as usual.
    inApp: function (url) { return /^\/(\d+(\/[^/]+(\/\d+)?)?)?$/.test(url.pathname); }
  });
})();
