-- An integer as text. Lua turns a number into text with sprintf('%.14g') wherever it meets one in
-- a concatenation or a command's arguments, which costs several times the integer format.
local function digits(number)
  return string.format('%d', number)
end
