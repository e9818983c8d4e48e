/* Sodsong's report form, made quicker when JavaScript runs. Every page works without it: the server shows the
   next list of places after a step of the form, ignores the contact fields of an anonymous report, checks the
   files and keeps them (sealed) when the form comes back. Nothing here talks to anything but this site. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  document.documentElement.className += " js";
  var text = JSON.parse(document.getElementById("form-text").textContent);

  // -- places: a province's districts and subdistricts, asked for once per province ----------------------------
  var province = document.getElementById("province");
  var district = document.getElementById("district");
  var subdistrict = document.getElementById("subdistrict");
  var lang = form.getAttribute("data-lang");
  var places = {};

  function fill(select, items, emptyLabel) {
    var keep = select.value;
    select.innerHTML = "";
    var first = document.createElement("option");
    first.value = "";
    first.textContent = emptyLabel;
    select.appendChild(first);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item["name_" + lang];
      if (item.code === keep) { option.selected = true; }
      select.appendChild(option);
    });
    var filter = document.getElementById(select.id + "-filter");
    if (filter) { filter.value = ""; }
  }

  function districtsOf(code, then) {
    if (!code) { then([]); return; }
    if (places[code]) { then(places[code]); return; }
    fetch("/report/places?province=" + encodeURIComponent(code), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (body) { places[code] = body.districts; then(body.districts); })
      .catch(function () { document.documentElement.className = document.documentElement.className.replace(" js", ""); });
  }

  function showSubdistricts() {
    districtsOf(province.value, function (districts) {
      var found = districts.filter(function (d) { return d.code === district.value; })[0];
      fill(subdistrict, found ? found.subdistricts : [], found ? text.not_sure : text.choose_district_first);
    });
  }

  province.addEventListener("change", function () {
    districtsOf(province.value, function (districts) {
      fill(district, districts, districts.length ? text.not_sure : text.choose_province_first);
      showSubdistricts();
    });
  });
  district.addEventListener("change", showSubdistricts);
  if (province.value) { districtsOf(province.value, function () {}); }

  // -- type to filter a long list by name ----------------------------------------------------------------------
  Array.prototype.forEach.call(form.querySelectorAll("select[data-filter]"), function (select) {
    var label = form.querySelector("label[for='" + select.id + "']");
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "filter";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-label", text.filter + ": " + (label ? label.textContent.replace("*", "").trim() : ""));
    input.setAttribute("aria-controls", select.id);
    input.placeholder = text.filter;
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var shown = [];
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !option.value || !q || option.textContent.toLowerCase().indexOf(q) !== -1;
        option.hidden = !match;
        if (match && option.value) { shown.push(option); }
      });
      if (shown.length === 1 && select.value !== shown[0].value) {
        select.value = shown[0].value;
        select.dispatchEvent(new Event("change"));
      }
    });
  });

  // -- one choice about identity: only the fields that apply are shown -----------------------------------------
  var contact = document.getElementById("contact-fields");
  function showContact() {
    var give = document.getElementById("anon-no").checked;
    contact.hidden = !give;
  }
  Array.prototype.forEach.call(form.querySelectorAll("input[name='reporter.anonymous']"), function (radio) {
    radio.addEventListener("change", showContact);
  });
  showContact();

  // -- files: checked before they are sent, so that a file over a limit is never sent at all ---------------------
  var files = document.getElementById("attachments");
  var chosen = document.getElementById("chosen-files");
  var fileErrors = document.getElementById("file-errors");
  var maxFile = +form.getAttribute("data-max-file-bytes");
  var maxTip = +form.getAttribute("data-max-tip-bytes");
  var maxFiles = +form.getAttribute("data-max-files");
  var accepted = /\.(jpe?g|png|webp|gif|pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|txt|mp3|m4a|mp4|aac|ogg|oga|wav|flac|amr|webm)$/i;

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  function size(bytes) { return bytes < 1048576 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : mb(bytes); }
  function say(key, values) {
    return text[key].replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function checkFiles() {
    var problems = [];
    var total = 0;
    var count = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input[name='keep_file']:checked"), function (box) {
      total += +box.getAttribute("data-size");
      count += 1;
    });
    chosen.innerHTML = "";
    Array.prototype.forEach.call(files.files, function (file) {
      var li = document.createElement("li");
      li.textContent = file.name + " · " + size(file.size);
      chosen.appendChild(li);
      if (file.size > maxFile) {
        problems.push(say("file_too_large", {name: file.name, size: mb(file.size), limit: maxFile / 1048576}));
      } else if (!accepted.test(file.name) && !/^(image|audio)\//.test(file.type)) {
        problems.push(say("file_unsupported", {name: file.name}));
      }
      total += file.size;
      count += 1;
    });
    if (total > maxTip) { problems.push(say("files_total", {size: mb(total), limit: maxTip / 1048576})); }
    if (count > maxFiles) { problems.push(say("files_count", {n: count, limit: maxFiles})); }
    fileErrors.innerHTML = "";
    problems.forEach(function (p) {
      var el = document.createElement("p");
      el.className = "field-error";
      el.textContent = p;
      fileErrors.appendChild(el);
    });
    files.setCustomValidity(problems.length ? problems.join(" ") : "");
    files.setAttribute("aria-invalid", problems.length ? "true" : "false");
    return problems.length === 0;
  }
  files.addEventListener("change", checkFiles);
  Array.prototype.forEach.call(form.querySelectorAll("input[name='keep_file']"), function (box) {
    box.addEventListener("change", checkFiles);
  });
  form.addEventListener("submit", function (event) {
    var step = event.submitter ? event.submitter.value : "send";
    if (!checkFiles() && step === "send") {
      event.preventDefault();
      files.focus();
    }
  });

  var errors = document.getElementById("errors");
  if (errors) { errors.focus(); }
})();
