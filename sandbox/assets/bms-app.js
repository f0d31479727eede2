// The BMS React UI stand-in: its pages and routes. spa-kit.js renders each page after load
// from the sandbox's same-origin page data and moves between records with
// history.pushState instead of page loads, as the real single-page app does.
(function () {
  "use strict";

  var spa = window.SandboxSpa;
  var root = document.getElementById("root");
  if (!spa || !root) {
    return;
  }
  var h = spa.h;
  var text = spa.text;
  var routes = spa.readMeta("psa-routes") || {};

  function link(href, label) {
    return h("a", { href: href }, text(label));
  }

  function recordPath(template, id) {
    return template.replace("{id}", encodeURIComponent(id));
  }

  function accountHref(id) {
    return recordPath(routes.account, id);
  }

  function contactHref(id) {
    return recordPath(routes.contact, id);
  }

  function assetHref(id) {
    return recordPath(routes.hardwareAsset, id);
  }

  // A label and its value: the value sits in the first sibling's span.
  function field(label, value) {
    return h("div", { className: "psa-field" }, [
      h("div", { className: "psa-label-field" }, label),
      h("div", { className: "psa-value-field" }, h("span", {}, value instanceof Node ? value : text(value)))
    ]);
  }

  function card(title, body, className) {
    return h("div", { className: "psa-card" + (className ? " " + className : "") }, [
      title ? h("div", { className: "psa-card-header" }, title) : null,
      body
    ]);
  }

  function grid(columns, rows, empty) {
    if (!rows.length) {
      return h("p", { className: "psa-grid-empty" }, empty);
    }
    return h("table", { className: "psa-grid" }, [
      h("thead", {}, h("tr", {}, columns.map(function (column) { return h("th", {}, column[0]); }))),
      h("tbody", {}, rows.map(function (row) {
        return h("tr", {}, columns.map(function (column) {
          var value = column[1](row);
          return h("td", {}, value instanceof Node ? value : text(value));
        }));
      }))
    ]);
  }

  function badge(label, kind) {
    return h("span", { className: "psa-badge psa-badge--" + kind }, label);
  }

  function statusBadge(row) {
    var element = h("span", { className: "psa-badge psa-status-badge" }, row.status);
    // CSSOM, not a style attribute: allowed under the strict CSP.
    element.style.backgroundColor = row.statusColor;
    element.style.color = "#ffffff";
    return element;
  }

  function header(title, extra, actions) {
    return h("div", { className: "psa-page-header" }, [
      h("div", { className: "psa-page-header-title" }, [h("h1", { className: "psa-page-title" }, title), extra]),
      actions ? h("div", { className: "psa-page-header-actions" }, actions) : null
    ]);
  }

  function breadcrumb(parts) {
    var items = [];
    parts.forEach(function (part, index) {
      if (index > 0) {
        items.push(h("span", { className: "psa-breadcrumb-separator" }, "/"));
      }
      items.push(part[1] ? link(part[1], part[0]) : h("span", {}, part[0]));
    });
    return h("nav", { className: "psa-breadcrumb", "aria-label": "Breadcrumb" }, items);
  }

  // Tabs: the first is shown; bms.js switches them.
  function tabs(panels) {
    return h("div", { "data-tabs": true }, [
      h("div", { className: "psa-tabs", role: "tablist" }, panels.map(function (panel, index) {
        return h("button", {
          type: "button",
          className: "psa-tab" + (index === 0 ? " psa-tab--active" : ""),
          role: "tab",
          "aria-selected": index === 0 ? "true" : "false",
          "data-tab": panel[0]
        }, panel[1]);
      })),
      panels.map(function (panel, index) {
        return h("section", { className: "psa-tab-panel", role: "tabpanel", "data-panel": panel[0], hidden: index > 0 }, panel[2]);
      })
    ]);
  }

  function emptyState(title, message) {
    return h("div", { className: "psa-empty-state" }, [
      h("div", { className: "psa-empty-state-icon", "aria-hidden": "true" }, "!"),
      h("h1", { className: "psa-empty-state-title" }, title),
      h("p", {}, message),
      h("a", { className: "btn btn-primary", href: routes.account.replace("/{id}", "") }, "Back to Accounts")
    ]);
  }

  // ------------------------------------------------------------------ Shared grids

  function contactGrid(contacts) {
    return grid([
      ["Name", function (c) { return link(contactHref(c.id), c.name); }],
      ["Job Title", function (c) { return c.title; }],
      ["Email", function (c) { return c.email; }],
      ["Phone", function (c) { return c.phone; }]
    ], contacts, "No contacts to display.");
  }

  function assetGrid(assets) {
    return grid([
      ["Asset Name", function (a) { return link(assetHref(a.id), a.name); }],
      ["Category", function (a) { return a.category; }],
      ["Serial Number", function (a) { return a.serialNumber; }],
      ["Contact", function (a) { return a.contactName; }]
    ], assets, "No assets to display.");
  }

  function ticketGrid(tickets, ticketHref) {
    return grid([
      ["Ticket #", function (t) { return link(ticketHref(t.id), t.number); }],
      ["Title", function (t) { return link(ticketHref(t.id), t.title); }],
      ["Account", function (t) { return link(accountHref(t.account.id), t.account.name); }],
      ["Status", statusBadge],
      ["Priority", function (t) { return t.priority; }],
      ["Assignee", function (t) { return t.assignee; }],
      ["Open Date", function (t) { return t.openDate; }]
    ], tickets, "No open tickets.");
  }

  function ticketHrefIn(base) {
    return function (id) { return base + "/" + encodeURIComponent(id); };
  }

  var canonicalTicket = ticketHrefIn("/react/servicedesk/tickets");

  // ------------------------------------------------------------------ Pages

  function accountsPage(data) {
    return [
      header("Accounts", h("span", { className: "psa-account-code" }, data.total + " accounts")),
      card(null, grid([
        ["Account Name", function (a) { return link(accountHref(a.id), a.name); }],
        ["Account Code", function (a) { return a.code; }],
        ["Type", function (a) { return a.kind; }],
        ["City", function (a) { return a.city; }],
        ["Status", function (a) { return a.active ? "Active" : "Inactive"; }]
      ], data.rows, "No accounts to display."))
    ];
  }

  function accountPage(account) {
    var main = account.mainLocation;
    var website = account.website ? h("a", { href: account.website, target: "_blank", rel: "noopener" }, account.website) : null;
    return [
      breadcrumb([["Accounts", routes.account.replace("/{id}", "")], [account.name]]),
      header(account.name, [
        h("span", { className: "psa-account-code" }, text(account.code)),
        badge(account.active ? "Active" : "Inactive", account.active ? "success" : "muted")
      ], [
        h("button", { type: "button", className: "btn btn-sm btn-secondary" }, "Edit"),
        h("button", { type: "button", className: "btn btn-sm btn-primary bigk-button--primary" }, "New Ticket")
      ]),
      tabs([
        ["details", "Details", card("Account Information", h("div", { className: "psa-record-grid" }, [
          field("Account Name", account.name),
          field("Account Code", account.code),
          field("Type", account.kind),
          field("Status", account.active ? "Active" : "Inactive"),
          field("Main Location", main ? main.name : null),
          field("Address", main && main.address.length ? main.address.join(", ") : null),
          field("Phone", main ? main.phone : null),
          field("Website", website),
          field("Account Manager", account.manager)
        ]))],
        ["contacts", "Contacts", card(null, contactGrid(account.contacts))],
        ["locations", "Locations", card(null, grid([
          ["Location", function (l) { return l.name; }],
          ["Address", function (l) { return l.address.join(", "); }],
          ["Phone", function (l) { return l.phone; }],
          ["Main", function (l) { return l.main ? "Yes" : "No"; }]
        ], account.locations, "No locations to display."))],
        ["assets", "Assets", card(null, assetGrid(account.assets))],
        ["tickets", "Tickets", card(null, ticketGrid(account.tickets, canonicalTicket))]
      ])
    ];
  }

  function contactPage(contact) {
    return [
      breadcrumb([["Accounts", routes.account.replace("/{id}", "")], [contact.account.name, accountHref(contact.account.id)], [contact.name]]),
      header(contact.name, [
        contact.pointOfContact ? badge("Point of Contact", "success") : null,
        badge(contact.active ? "Active" : "Inactive", contact.active ? "success" : "muted")
      ], [h("button", { type: "button", className: "btn btn-sm btn-primary bigk-button--primary" }, "New Ticket")]),
      tabs([
        ["details", "Details", card("Contact Information", h("div", { className: "psa-record-grid" }, [
          field("First Name", contact.firstName),
          field("Last Name", contact.lastName),
          field("Job Title", contact.title),
          field("Account", link(accountHref(contact.account.id), contact.account.name)),
          field("Location", contact.location),
          field("Email", contact.emails.length ? contact.emails[0].value : null),
          field("Phone", contact.phones.length ? contact.phones[0].value : null)
        ]))],
        ["emails", "Emails & Phones", card(null, grid([
          ["Type", function (e) { return e.kind; }],
          ["Value", function (e) { return e.value; }],
          ["Default", function (e) { return e.default ? "Yes" : "No"; }]
        ], contact.emails.concat(contact.phones), "No e-mail addresses or phone numbers."))],
        ["assets", "Assets", card(null, assetGrid(contact.assets))],
        ["tickets", "Tickets", card(null, ticketGrid(contact.tickets, canonicalTicket))]
      ])
    ];
  }

  function assetPage(asset) {
    return [
      breadcrumb([["Hardware Assets"], [asset.account.name, accountHref(asset.account.id)], [asset.name]]),
      header(asset.name, [
        h("span", { className: "psa-account-code" }, text(asset.category)),
        badge(asset.active ? "Active" : "Inactive", asset.active ? "success" : "muted")
      ], [h("button", { type: "button", className: "btn btn-sm btn-primary bigk-button--primary" }, "New Ticket")]),
      tabs([
        ["details", "Details", card("Asset Information", h("div", { className: "psa-record-grid" }, [
          field("Asset Name", asset.name),
          field("Account", link(accountHref(asset.account.id), asset.account.name)),
          field("Location", asset.location),
          field("Contact", asset.contact ? link(contactHref(asset.contact.id), asset.contact.name) : null),
          field("Category", asset.category),
          field("Status", asset.status),
          field("Manufacturer", asset.manufacturer),
          field("Model Number", asset.modelNumber),
          field("Serial Number", asset.serialNumber),
          field("Asset Tag", asset.assetTag),
          field("IP Address", asset.ipAddress),
          field("MAC Address", asset.macAddress),
          field("Default Gateway", asset.defaultGateway),
          field("OS Type", asset.osType),
          field("OS Info", asset.osInfo),
          field("Physical Location Info", asset.locationInfo),
          field("Acquisition Date", asset.acquisitionDate),
          field("Warranty Expiration Date", asset.warrantyExpirationDate),
          field("Description", asset.description)
        ]))],
        ["tickets", "Tickets", card(null, ticketGrid(asset.tickets, canonicalTicket))]
      ])
    ];
  }

  // Tickets open in the list's own route family (mytickets, views/{viewId}/tickets, …).
  function ticketListPage(data, match) {
    var base = match.route.template.replace("{viewId}", match.params.viewId || "");
    return [
      header(match.route.title, h("span", { className: "psa-account-code" }, data.total + " open")),
      card(null, ticketGrid(data.rows, ticketHrefIn(base)))
    ];
  }

  // ---------------------------------------------------------------- Ticket page

  function collapsible(className, title, body, attributes) {
    var bodyId = className + "-body";
    return h("section", Object.assign({ className: className + " psa-collapsible psa-collapsible--collapsed" }, attributes || {}), [
      h("button", { type: "button", className: "psa-collapsible-toggle", "aria-expanded": "false", "aria-controls": bodyId }, title),
      h("div", { className: "psa-collapsible-body", id: bodyId, hidden: true }, body)
    ]);
  }

  function notesText(notes) {
    return notes ? h("div", { className: "itg-notes-text" }, notes) : h("div", { className: "itg-notes-empty" }, "No notes yet.");
  }

  // Company notes: top of the ticket, collapsed, only for a connected user and a synced
  // organization.
  function companyNotes(native) {
    if (!native || !native.connected || !native.organization) {
      return null;
    }
    return collapsible("itg-company-notes", "Company Notes", notesText(native.organization.notes), {
      "data-itglue-id": native.organization.id
    });
  }

  function contactNotes(native) {
    if (!native || !native.connected || !native.contact) {
      return null;
    }
    return h("div", { className: "itg-contact-notes", "data-itglue-id": native.contact.id }, [
      h("div", { className: "itg-contact-notes-title" }, "Contact Notes"),
      notesText(native.contact.notes),
      h("a", { className: "itg-view-in-itglue", href: native.contact.url, target: "_blank", rel: "noopener" }, "View in IT Glue")
    ]);
  }

  // The IT Glue side panel: grey when connected, red when not.
  function sidePanel(native) {
    if (!native) {
      return null;
    }
    var state = native.connected ? "connected" : "disconnected";
    var tabsList = [
      ["configuration", "Configuration", native.configuration],
      ["organization", "Organization", native.organization],
      ["contact", "Contact", native.contact],
      ["location", "Location", null]
    ];
    var body = native.connected
      ? tabs(tabsList.map(function (tab) {
          var record = tab[2];
          return [tab[0], tab[1], record
            ? h("div", { className: "itg-side-panel-record" }, [
                h("div", { className: "itg-side-panel-name" }, record.name),
                h("a", { href: record.url, target: "_blank", rel: "noopener" }, "Launch IT Glue")
              ])
            : h("p", { className: "itg-side-panel-empty" }, "Not synced with IT Glue.")];
        }))
      : h("p", { className: "itg-side-panel-disconnected" }, "Connect to IT Glue in My Settings > Integrations.");
    return h("aside", {
      id: "itglue-side-panel",
      className: "itg-side-panel itg-side-panel--" + state,
      "data-state": state,
      "aria-label": "IT Glue"
    }, [h("button", { type: "button", className: "itg-side-panel-icon", title: "IT Glue" }, "IT Glue"), body]);
  }

  function ticketPage(ticket) {
    var native = ticket.native || null;
    var contact = ticket.contact;
    var properties = h("div", { className: "psa-record-grid" }, [
      field("Status", statusBadge(ticket)),
      field("Priority", ticket.priority),
      field("Assignee", ticket.assignee),
      field("Queue", ticket.queue),
      field("Ticket Type", ticket.kind),
      field("Source", ticket.source),
      field("Issue Type", ticket.issueType),
      field("Open Date", ticket.openDate),
      field("Due Date", ticket.dueDate),
      field("Location", ticket.location),
      field("Asset", ticket.hardwareAsset ? link(assetHref(ticket.hardwareAsset.id), ticket.hardwareAsset.name) : null)
    ]);
    var attachments = h("div", { className: "psa-attachments" }, ticket.attachments.length
      ? h("ul", {}, ticket.attachments.map(function (file) {
          return h("li", { className: "psa-link" }, h("a", { href: file.url, download: file.name }, file.name));
        }))
      : h("p", { className: "psa-grid-empty" }, "No attachments."));
    var notes = h("div", { className: "psa-notes" }, ticket.notes.length
      ? ticket.notes.map(function (note) {
          return h("div", { className: "psa-note" + (note.internal ? " psa-note--internal" : "") }, [
            h("div", { className: "psa-note-meta" }, [text(note.author), " \u00b7 ", note.date, note.internal ? " \u00b7 Internal" : ""]),
            h("div", { className: "psa-note-text" }, note.details)
          ]);
        })
      : h("p", { className: "psa-grid-empty" }, "No notes."));
    var contactSection = h("section", { className: "psa-sidebar-section psa-sidebar-contact" }, [
      h("div", { className: "psa-sidebar-title" }, "Contact"),
      contact ? [
        h("div", { className: "psa-sidebar-contact-name" }, link(contactHref(contact.id), contact.name)),
        h("div", {}, text(contact.phone)),
        h("div", {}, text(contact.email))
      ] : h("div", {}, "No contact"),
      contactNotes(native)
    ]);
    return [
      companyNotes(native),
      breadcrumb([["Service Desk"], ["Tickets", "/react/servicedesk/tickets"], [ticket.number]]),
      h("div", { className: "psa-ticket-view", "data-ticket-id": ticket.id }, [
        h("div", { className: "psa-ticket-view-header" }, [
          h("div", { className: "psa-ticket-view-heading" }, [
            h("span", { className: "psa-ticket-number" }, ticket.number),
            h("h1", { className: "psa-ticket-view-title" }, ticket.title),
            statusBadge(ticket)
          ]),
          h("div", { id: "createTicket", className: "createTicket psa-button-bar" }, [
            h("button", { type: "button", className: "btn btn-sm btn-secondary QuickAddButton", "data-toggle": "modal", "data-target": "#psa-add-note-modal" }, "Add Note"),
            h("button", { type: "button", className: "btn btn-sm btn-secondary QuickAddButton" }, "Add Time Log"),
            h("button", { type: "button", className: "btn btn-sm btn-primary bigk-button--primary" }, "New Ticket")
          ])
        ]),
        h("div", { className: "psa-ticket-body" }, [
          h("div", { className: "psa-left-side" }, [
            card(null, h("div", { className: "psa-ticket-info-summary" }, [
              h("div", { className: "psa-ticket-info-summary-account" }, link(accountHref(ticket.account.id), ticket.account.name)),
              h("div", { className: "psa-ticket-info-summary-code" }, text(ticket.accountCode))
            ])),
            card("Ticket Properties", properties),
            card("Details", h("div", { className: "psa-ticket-details" }, ticket.details)),
            card("Attachments", attachments),
            card("Notes", notes)
          ]),
          h("div", { className: "psa-right-side" }, [
            h("div", { className: "psa-sidebar" }, h("div", { className: "psa-sidebar-container" }, [
              contactSection,
              h("section", { className: "psa-sidebar-section psa-sidebar-asset" }, [
                h("div", { className: "psa-sidebar-title" }, "Asset"),
                ticket.hardwareAsset ? link(assetHref(ticket.hardwareAsset.id), ticket.hardwareAsset.name) : h("div", {}, "No asset")
              ])
            ])),
            sidePanel(native)
          ])
        ])
      ]),
      noteModal()
    ];
  }

  function noteModal() {
    return h("div", { className: "modal fade", id: "psa-add-note-modal", tabindex: "-1", role: "dialog", "aria-hidden": "true", hidden: true },
      h("div", { className: "modal-dialog", role: "document" }, h("div", { className: "modal-content" }, [
        h("div", { className: "modal-header" }, [
          h("h2", { className: "modal-title" }, "Add Note"),
          h("button", { type: "button", className: "close", "data-dismiss": "modal", "aria-label": "Close" }, "\u00d7")
        ]),
        h("div", { className: "modal-body" }, h("textarea", { className: "psa-note-input", rows: "4", "aria-label": "Note" })),
        h("div", { className: "modal-footer" }, [
          h("button", { type: "button", className: "btn btn-sm btn-secondary", "data-dismiss": "modal" }, "Cancel"),
          h("button", { type: "button", className: "btn btn-sm btn-primary", "data-dismiss": "modal" }, "Save")
        ])
      ])));
  }

  // ------------------------------------------------------------------ Routing

  function accountsList() {
    return routes.account.replace("/{id}", "");
  }

  function ticketRoutes() {
    var list = [];
    [["/react/servicedesk/tickets", "Tickets", ""], ["/react/servicedesk/mytickets", "My Tickets", "?assignee=me"],
     ["/react/home/views/{viewId}/tickets", "Open Tickets", ""], ["/react/home/views/{viewId}/mytickets", "My Open Tickets", "?assignee=me"]]
      .forEach(function (entry) {
        var menu = entry[2] ? "mytickets" : "tickets";
        list.push({ template: entry[0], page: "tickets", title: entry[1], query: entry[2], section: "service-desk", menu: menu });
        list.push({ template: entry[0] + "/{id}", page: "ticket", section: "service-desk", menu: menu });
      });
    return list;
  }

  var PAGES = {
    accounts: {
      data: function () { return "/_sandbox/page-data/accounts"; },
      render: accountsPage,
      title: function () { return "Accounts"; }
    },
    account: {
      data: function (m) { return "/_sandbox/page-data/accounts/" + m.params.id; },
      render: accountPage,
      title: function (d) { return d.name + " - Account"; }
    },
    contact: {
      data: function (m) { return "/_sandbox/page-data/contacts/" + m.params.id; },
      render: contactPage,
      title: function (d) { return d.name + " - Contact"; }
    },
    asset: {
      data: function (m) { return "/_sandbox/page-data/hardwareassets/" + m.params.id; },
      render: assetPage,
      title: function (d) { return d.name + " - Hardware Asset"; }
    },
    tickets: {
      data: function (m) { return "/_sandbox/page-data/tickets" + m.route.query; },
      render: ticketListPage,
      title: function (d, m) { return m.route.title; }
    },
    ticket: {
      data: function (m) { return "/_sandbox/page-data/tickets/" + m.params.id; },
      render: ticketPage,
      title: function (d) { return d.account.name + " - Ticket# " + d.number; }
    }
  };

  function highlightMenus(route) {
    var section = route ? route.section : null;
    document.querySelectorAll(".psa-main-menu-item").forEach(function (item) {
      item.classList.toggle("psa-main-menu-item--active", item.getAttribute("data-section") === section);
    });
    document.querySelectorAll(".psa-left-menu-item").forEach(function (item) {
      item.classList.toggle("psa-left-menu-item--active", Boolean(route) && item.getAttribute("data-menu") === route.menu);
    });
  }

  var NOT_FOUND = {
    page: ["Page not found", "The page you requested does not exist."],
    record: ["Record not found", "The record you are looking for does not exist, was deleted, or you do not have permission to view it."],
    error: ["Something went wrong", "The page could not be loaded. Please try again."]
  };

  // Collapsible sections (company notes) open and close in place.
  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element ? event.target.closest(".psa-collapsible-toggle") : null;
    if (!toggle) {
      return;
    }
    var section = toggle.closest(".psa-collapsible");
    var body = section.querySelector(".psa-collapsible-body");
    var open = body.hidden;
    body.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    section.classList.toggle("psa-collapsible--collapsed", !open);
  });

  spa.start({
    root: root,
    titleSuffix: " | Kaseya BMS",
    routes: [
      { template: accountsList(), page: "accounts", section: "crm", menu: "accounts" },
      { template: routes.account, page: "account", section: "crm", menu: "accounts" },
      { template: routes.contact, page: "contact", section: "crm", menu: "contacts" },
      { template: routes.hardwareAsset, page: "asset", section: "service-desk", menu: "hardwareassets" }
    ].concat(ticketRoutes()),
    load: function (m) { return PAGES[m.route.page].data(m); },
    render: function (data, m) { return PAGES[m.route.page].render(data, m); },
    title: function (data, m) { return PAGES[m.route.page].title(data, m); },
    notFound: function (kind) { return emptyState(NOT_FOUND[kind][0], NOT_FOUND[kind][1]); },
    onRoute: function (m) { highlightMenus(m ? m.route : null); },
    inApp: function (url) { return url.pathname.indexOf("/react/") === 0; }
  });
})();
