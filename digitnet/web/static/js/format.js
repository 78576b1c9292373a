// Numbers and words, one format everywhere: fixed decimals (never an exponent), and "an 8".

export const fmt = (x, digits = 3) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));
export const percent = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(2)}%`);
export const count = (n) => Number(n).toLocaleString("en");
export const aDigit = (digit) => `${digit === 8 ? "an" : "a"} ${digit}`;

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export const $ = (id) => document.getElementById(id);
