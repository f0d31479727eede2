// The single-page-app plumbing both emulated web apps share: a DOM builder that only ever
// inserts text (record data never becomes markup), and a client-side router that renders a
// page from its same-origin page data after load and moves between pages with
// history.pushState (back and forward through popstate), without page loads.
(function (window, document) {
  "use strict";

  function append(element, children) {
    (Array.isArray(children) ? children : [children]).forEach(function (child) {
      if (child === null || child === undefined || child === false) {
        return;
      }
      if (Array.isArray(child)) {
        append(element, child);
      } else {
        element.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    });
  }

  function h(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "className") {
        element.className = value;
      } else {
        element.setAttribute(name, value === true ? "" : String(value));
      }
    });
    append(element, children);
    return element;
  }

  function text(value) {
    return value === null || value === undefined || value === "" ? "\u2014" : String(value);
  }

  function readMeta(name) {
    var meta = document.querySelector('meta[name="' + name + '"]');
    try {
      return meta ? JSON.parse(meta.getAttribute("content")) : null;
    } catch (error) {
      return null;
    }
  }

  // `/a/{id}/b` → a regular expression with named groups.
  function pattern(template) {
    var source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
    return new RegExp("^" + source + "/?$");
  }

  // options: root, routes [{template, …}], load(match) → page-data URL, render(data, match)
  // → content, title(data, match), notFound(kind) → content, onRoute(match|null), inApp(url)
  // → whether a link stays in the app, titleSuffix.
  function start(options) {
    var root = options.root;
    var routes = options.routes.map(function (route) {
      return Object.assign({ regex: pattern(route.template) }, route);
    });
    var generation = 0;

    function match(pathname) {
      for (var i = 0; i < routes.length; i += 1) {
        var found = routes[i].regex.exec(pathname);
        if (found) {
          return { route: routes[i], params: found.groups || {} };
        }
      }
      return null;
    }

    function show(content, title) {
      root.replaceChildren();
      append(root, content);
      root.setAttribute("aria-busy", "false");
      if (title) {
        document.title = title + options.titleSuffix;
      }
      root.dispatchEvent(new CustomEvent("sandbox:rendered", { bubbles: true, detail: { path: location.pathname } }));
    }

    function render() {
      var current = (generation += 1);
      var found = match(location.pathname);
      options.onRoute(found);
      if (!found) {
        show(options.notFound("page"), "Page not found");
        return;
      }
      root.setAttribute("aria-busy", "true");
      root.replaceChildren(h("div", { className: "sandbox-loading", role: "status" }, "Loading\u2026"));
      fetch(options.load(found), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 404) {
            return null;
          }
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (current !== generation) {
            return;
          }
          if (!data) {
            show(options.notFound("record"), "Record not found");
            return;
          }
          show(options.render(data, found), options.title(data, found));
        })
        .catch(function () {
          if (current === generation) {
            show(options.notFound("error"), "Error");
          }
        });
    }

    // Links that stay in the app move without a page load; others load as usual.
    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      var anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.getAttribute("href").charAt(0) === "#") {
        return;
      }
      var url = new URL(anchor.href, location.href);
      if (url.origin !== location.origin || !options.inApp(url) || !match(url.pathname)) {
        return;
      }
      event.preventDefault();
      if (url.href !== location.href) {
        history.pushState({}, "", url.href);
      }
      render();
    });

    window.addEventListener("popstate", render);
    render();
  }

  window.SandboxSpa = { h: h, append: append, text: text, readMeta: readMeta, start: start };
})(window, document);
