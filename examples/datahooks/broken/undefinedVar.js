// A hook with the defect of another docs example: it reads a variable that was
// never declared (a ReferenceError when a request arrives).
function onRequest(request, response, modules) {
  var data = JSON.parse(request.body.data);
  data["$set"]["sex"] = sexData["$set"]["sexText"] == "男" ? 1 : 0;
  response.send({ success: "ok", data: JSON.stringify(data) });
}
