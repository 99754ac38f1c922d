// The lab view: how the model made its last answer, from GET /v1/lab. Per-stage times and shapes; for each of
// the 32 video queries, its attention over the frames' patches drawn on the frames; the sound clips' fbank; for
// each answer token, the model's five most likely tokens at that point. Uses $, authHeaders, errorOf and figure
// from chat.js, which the page loads first.

let lab = null; // the last report
let thumbnails = []; // the frames as loaded images, to draw the heat maps on

function showTab(name) {
  $('chat-view').hidden = name !== 'chat';
  $('lab-view').hidden = name !== 'lab';
  $('tab-chat').classList.toggle('active', name === 'chat');
  $('tab-lab').classList.toggle('active', name === 'lab');
}

$('tab-chat').onclick = () => showTab('chat');
$('tab-lab').onclick = () => {
  showTab('lab');
  loadLab();
};

async function loadLab() {
  $('lab-status').textContent = 'computing ...';
  const response = await fetch('/v1/lab', { headers: authHeaders() });
  if (!response.ok) {
    $('lab-status').textContent = await errorOf(response);
    return;
  }
  lab = await response.json();
  $('lab-status').textContent = '';
  fillTable($('times'), ['step', 'ms'], lab.times.map(t => [t.what, t.ms]));
  fillTable($('stages'), ['stage', 'shape'], lab.stages.map(s => [s.name, s.shape.join(' × ')]));
  $('attention-section').hidden = !lab.attention;
  if (lab.attention) {
    thumbnails = await Promise.all(lab.frames.map(f => loadImage(f.picture)));
    showQuery(Number($('query').value));
    showAllQueries();
  }
  $('fbank-section').hidden = !lab.fbank;
  $('fbank').replaceChildren(...(lab.fbank ?? []).map((src, i) => figure(src, 'clip ' + (i + 1))));
  showTokens();
}

function loadImage(src) {
  return new Promise(resolve => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.src = src;
  });
}

function fillTable(table, head, rows) {
  table.replaceChildren();
  const cells = (tag, values) => {
    const row = table.insertRow();
    for (const value of values) row.append(Object.assign(document.createElement(tag), { textContent: value }));
  };
  cells('th', head);
  rows.forEach(values => cells('td', values));
}

// The colour scale Pictures.java gives the fbank: dark blue, red, yellow.
function heatColor(v) {
  return [255 * Math.min(1, 2 * v), 255 * Math.max(0, 2 * v - 1), 255 * Math.max(0, 0.5 - v)].map(Math.round);
}

// A frame drawn `size` pixels wide with each patch coloured by the query's weight on it (map: side × side, 0..1).
function heatMap(thumbnail, map, size) {
  const side = lab.attention.patchSide;
  const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
  const g = canvas.getContext('2d');
  g.drawImage(thumbnail, 0, 0, size, size);
  const cell = size / side;
  map.forEach((v, p) => {
    g.fillStyle = `rgba(${heatColor(v).join(',')}, 0.65)`;
    g.fillRect((p % side) * cell, Math.floor(p / side) * cell, cell, cell);
  });
  return canvas;
}

$('query').oninput = () => showQuery(Number($('query').value));

// One query large: each frame's heat map, with the query's share of attention on that frame.
function showQuery(q) {
  $('query-value').textContent = q;
  const query = lab.attention.queries[q];
  $('query-frames').replaceChildren(...query.maps.map((map, f) => {
    const element = document.createElement('figure');
    const caption = document.createElement('figcaption');
    const time = lab.frames[f].seconds !== undefined ? lab.frames[f].seconds + ' s, ' : '';
    caption.textContent = time + Math.round(100 * query.frameShare[f]) + '% of its attention';
    element.append(heatMap(thumbnails[f], map, 160), caption);
    return element;
  }));
}

// Every query small, a row each: click a row to see it large.
function showAllQueries() {
  $('all-queries').replaceChildren(...lab.attention.queries.map((query, q) => {
    const row = document.createElement('div');
    row.className = 'row';
    row.append(Object.assign(document.createElement('span'), { textContent: q }));
    query.maps.forEach((map, f) => row.append(heatMap(thumbnails[f], map, 48)));
    row.onclick = () => {
      $('query').value = q;
      showQuery(q);
    };
    return row;
  }));
}

function percent(p) {
  return (100 * p).toFixed(1) + '%';
}

// Each answer token as a card: the token, the probability the model gave it, its five most likely tokens with bars.
function showTokens() {
  $('tokens').replaceChildren(...lab.tokens.map(step => {
    const card = document.createElement('div');
    card.className = 'card';
    const chosen = document.createElement('b');
    chosen.textContent = `${JSON.stringify(step.chosen.text)} ${percent(step.chosen.probability)}`;
    card.append(chosen);
    for (const candidate of step.top) {
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.style.width = 4 * candidate.probability + 'em';
      const line = document.createElement('div');
      line.append(bar, `${JSON.stringify(candidate.text)} ${percent(candidate.probability)}`);
      card.append(line);
    }
    return card;
  }));
}
